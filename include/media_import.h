/* media_import: imports the PNG and JPEG pictures of a folder (a USB
 * stick's signage/, or --import DIR) into media_dir as a new set: filled
 * in a staging folder, fsync()ed, and put in place by swinging the link
 * `current` with one rename() (see media.h). The folder is untrusted. */
#ifndef MISATO_MEDIA_IMPORT_H
#define MISATO_MEDIA_IMPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "media.h"
#include "media_report.h"

struct media_import_options {
    const char *media_dir;
    int screen_w, screen_h;    /* pictures are stored no larger than needed to cover it */
    bool add;                  /* default mode (a playlist may say otherwise) */
    const atomic_bool *cancel; /* may be NULL; when set, the import stops (nothing changes) */
};

enum media_status {
    MEDIA_OK = 0,  /* committed, or nothing to import (see the report) */
    MEDIA_ABORTED, /* nothing changed: the old set is whole */
};

/* Imports the PNG and JPEG files of the folder src (a stick's signage/) into
 * opt->media_dir, with its optional playlist.json or playlist.txt. Each file
 * is checked and decoded by image_decode_at, scaled to the screen and stored
 * under a name made from its SHA-256. Files that are not good pictures are
 * refused one by one; an I/O error on the source (a stick pulled out), a
 * full disk or any write error aborts the whole import and leaves the old set
 * whole. A folder with no usable picture changes nothing (an empty playlist
 * clears the set). Fills *rep (free with media_report_clear, media_report.h).
 * Blocks while another import into the same media_dir runs. */
enum media_status media_import(const char *src, const struct media_import_options *opt,
                               struct media_report *rep);

/* True when src/import.key exists and its SHA-256 is want_hex (64
 * lowercase hex digits). Otherwise false and an English reason in why. */
bool media_key_ok(const char *src, const char *want_hex, char *why, size_t why_size);

#endif
