/* font: finds the font files to draw with, through fontconfig. The setting
 * is a family name ("BIZ UDPGothic") or a path to a font file; the project's
 * fonts/ folders are added to fontconfig so a site's own font dropped there
 * is found by its family name too. */
#ifndef MISATO_FONT_H
#define MISATO_FONT_H

#include <stdbool.h>

/* The face to fall back on when the configured one cannot be found. */
#define FONT_FALLBACK_FAMILY "BIZ UDPGothic"

/* Finds the file for `setting` in regular or bold weight. Returns a new
 * string the caller frees, or NULL (logged) when nothing that can draw
 * Japanese was found. A path setting is returned as is for both weights. */
char *font_find(const char *setting, bool bold);

/* Frees fontconfig's caches (for valgrind-clean exits). */
void font_shutdown(void);

#endif
