/* media_dir's layout on disk, shared by the picture set (media_set.c) and
 * the import (media_import.c): numbered set folders (set-000012), the link
 * `current` that names the one shown, and in each set the pictures under
 * names of our own with a manifest beside them. Internal to the media
 * files; see media.h. */
#ifndef MISATO_MEDIA_DIR_H
#define MISATO_MEDIA_DIR_H

#include <stdbool.h>

#define MEDIA_CURRENT "current"
#define MEDIA_MANIFEST "playlist.json"
#define MEDIA_MANIFEST_MAX (1u << 20)

/* qsort comparator of char * names in version order (poster-2 before
 * poster-10, as people number files). */
int media_name_cmp(const void *a, const void *b);

/* "set-000012" -> 12; 0 when name is not a set folder's. */
unsigned media_set_number(const char *name);

/* The number of the set `current` names in the open media_dir, or 0. */
unsigned media_current_set(int mdfd);

/* True for our own stored names: 16 lowercase hex digits and .png or .jpg. */
bool media_stored_name_ok(const char *s);

/* True when name (relative to dirfd) is a regular file, not a link. */
bool media_is_regular_at(int dirfd, const char *name);

#endif
