/* font: finds the font files to draw with, through fontconfig. The setting
 * is a family name ("BIZ UDPGothic") or a path to a font file; the project's
 * fonts/ folders are added to fontconfig so a site's own font dropped there
 * is found by its family name too. */
#ifndef MISATO_FONT_H
#define MISATO_FONT_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

/* The face to fall back on when the configured one cannot be found. */
#define FONT_FALLBACK_FAMILY "BIZ UDPGothic"

/* Finds the file for `setting` in regular or bold weight. Returns a new
 * string the caller frees, or NULL (logged) when nothing that can draw
 * Japanese was found. A path setting is returned as is for both weights. */
char *font_find(const char *setting, bool bold);

/* The file of an installed face that has code point cp (emoji from a
 * colour emoji font such as Debian's fonts-noto-color-emoji, Arabic,
 * Hebrew...), for text the main face cannot draw; NULL when no installed
 * font has it. The caller frees the string. */
char *font_find_covering(uint32_t cp, bool bold);

/* True when some installed font can draw cp (for --validate). */
bool font_can_draw(uint32_t cp);

/* --validate: prints a warning naming the field (its JSON path) for each
 * text of the feed holding a character no installed font can draw (it
 * would show as a box). Returns the number of warnings. */
struct feed;
size_t font_report_undrawable(const struct feed *f, FILE *out);

/* Frees fontconfig's caches (for valgrind-clean exits). */
void font_shutdown(void);

#endif
