/* playlist: the optional playlist.json or playlist.txt IT put on a USB
 * stick beside the pictures: their order, captions, seconds, dates and the
 * import's mode. Untrusted input: every value is checked and every count
 * bounded; a bad line refuses its picture, not the playlist. No SDL. */
#ifndef MISATO_PLAYLIST_H
#define MISATO_PLAYLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "media.h"

#define PLAYLIST_MAX (256u << 10) /* bytes of a playlist file */

/* One picture the playlist names. */
struct playlist_entry {
    char *name; /* malloc()ed: raw bytes from the folder or the playlist */
    char caption[MEDIA_MAX_CAPTION + 1];
    int seconds; /* 0: the player's default */
    struct feed_validity valid;
    const char *ja; /* static: set when the playlist line itself is wrong */
    char en[160];   /* the same in English, with where */
};

struct playlist {
    bool present, add, mode_given;
    struct playlist_entry *items; /* malloc()ed, n of them (at most MEDIA_MAX_ENTRIES) */
    size_t n;
    char error_ja[200], error_en[200]; /* set when the whole playlist is unusable */
};

/* Parses playlist.json text[0..len) into *pl (zeroed by the caller):
 * {"mode": "replace"|"add", "items": [{"file", "caption", "seconds",
 * "valid_from", "valid_until"} or "file", ...]}. */
void playlist_parse_json(struct playlist *pl, const char *text, size_t len);

/* Parses playlist.txt (NUL-terminated; cut into pieces in place): one
 * picture a line, "file | seconds | caption | valid_from | valid_until"
 * (all but the file optional), "mode = add", '#' starts a comment, a BOM
 * and CRLF line ends are taken. */
void playlist_parse_txt(struct playlist *pl, char *text);

/* Reads srcfd's playlist.json, else playlist.txt, into *pl (zeroed by the
 * caller) and its name into which; neither there: pl->present stays false. */
void playlist_read(int srcfd, struct playlist *pl, char *which, size_t which_size);

/* Why s cannot name a file of the folder (Japanese, static), or NULL: a
 * playlist names plain files of its own folder, never paths. */
const char *playlist_name_problem(const char *s);

/* Frees the entries and zeroes *pl. */
void playlist_clear(struct playlist *pl);

#endif
