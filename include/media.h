/* media: the player's own set of slide pictures in media_dir. New ones
 * come from a folder (a USB stick's signage/, or --import DIR) through
 * media_import.h; the playlist that orders them is read by playlist.h, and
 * what an import did is told by media_report.h.
 *
 * media_dir holds the imported set in a numbered folder that the symbolic
 * link `current` names (current -> set-000012); an import fills a new
 * folder, fsync()s it and swings the link with one rename(), so a screen, a
 * crash or a pulled stick only ever sees the old set whole or the new set
 * whole. Pictures IT put straight into media_dir by hand are shown after
 * the imported set. Nothing is ever written outside media_dir, except the
 * report on the stick. */
#ifndef MISATO_MEDIA_H
#define MISATO_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "feed.h"

#define MEDIA_MAX_ITEMS 100                  /* pictures in the set */
#define MEDIA_MAX_ENTRIES 5000               /* folder entries one import looks at */
#define MEDIA_MAX_CAPTION 200                /* bytes of UTF-8 */
#define MEDIA_MAX_SECONDS 600

struct media_item {
    char path[1024];   /* where the picture is */
    char name[256];    /* its name on the stick, for messages; may be empty */
    char caption[MEDIA_MAX_CAPTION + 1];
    int seconds;       /* 0: the player's default */
    struct feed_validity valid;
};

/* What media_dir holds now, in showing order. */
struct media_set {
    size_t n;
    struct media_item items[MEDIA_MAX_ITEMS];
};

/* Reads media_dir: the current imported set (its manifest gives order,
 * captions, durations and dates), then loose *.png / *.jpg / *.jpeg in name
 * order. Disk I/O: call it off the main thread, or before the first frame.
 * Never returns NULL (a missing folder is an empty set); free with
 * media_set_free. */
struct media_set *media_set_load(const char *media_dir);
void media_set_free(struct media_set *set); /* NULL is a no-op */

/* A change stamp of media_dir: differs after an import or a file added by
 * hand. Cheap (one stat). Zero when the folder is missing. */
unsigned long long media_dir_stamp(const char *media_dir);

#endif
