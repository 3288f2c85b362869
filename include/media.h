/* media: the player's own set of slide pictures in media_dir, and the
 * import of new ones from a folder (a USB stick's signage/, or
 * --import DIR).
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

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "feed.h"

#define MEDIA_MAX_ITEMS FEED_MAX_LOCAL_MEDIA /* pictures in the set */
#define MEDIA_MAX_ENTRIES 5000               /* folder entries one import looks at */
#define MEDIA_MAX_CAPTION 200                /* bytes of UTF-8 */
#define MEDIA_MAX_SECONDS 600
#define MEDIA_REPORT_NAME "import-report.txt"

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

/* Makes the set's pictures media entries "local-1", "local-2"... of feed
 * (after the feed's own), each with its path, so that each becomes an image
 * slide. Calling it again replaces the local entries of an earlier call.
 * Strings are copied into the feed's arena; set may be NULL (none). */
void media_attach(struct feed *feed, const struct media_set *set);

/* A change stamp of media_dir: differs after an import or a file added by
 * hand. Cheap (one stat). Zero when the folder is missing. */
unsigned long long media_dir_stamp(const char *media_dir);

/* --- import ---------------------------------------------------------------- */

struct media_import_options {
    const char *media_dir;
    int screen_w, screen_h; /* pictures are stored no larger than needed to cover it */
    bool add;               /* default mode (a playlist may say otherwise) */
    const atomic_bool *cancel; /* may be NULL; when set, the import stops (nothing changes) */
};

/* One file looked at. */
struct media_outcome {
    char name[256];   /* printable: bytes that are not UTF-8 shown as \xNN */
    bool imported;
    char file[40];    /* its name in the set */
    int w, h;         /* the stored picture's size */
    const char *ja;   /* why it was refused (static), or NULL */
    char en[160];     /* the same in English, with details */
};

struct media_report {
    time_t at;
    char source[1024];     /* the folder imported from */
    bool add;              /* the mode used */
    char playlist[24];     /* "playlist.json", "playlist.txt" or "" */
    bool committed;        /* the new set is in place */
    bool aborted;          /* nothing changed; abort_ja / abort_en say why */
    char abort_ja[256], abort_en[256];
    size_t imported, refused;
    size_t total;          /* pictures in the imported set afterwards */
    struct media_outcome *items; /* malloc()ed, n of them */
    size_t n, omitted;     /* outcomes beyond MEDIA_MAX_ENTRIES are only counted */
    size_t not_looked_at;  /* folder entries after the first MEDIA_MAX_ENTRIES by name */
};

enum media_status {
    MEDIA_OK = 0,       /* committed, or nothing to import (see the report) */
    MEDIA_ABORTED,      /* nothing changed: the old set is whole */
};

/* Imports the PNG and JPEG files of the folder src (a stick's signage/) into
 * opt->media_dir, with its optional playlist.json or playlist.txt. Each file
 * is checked and decoded by image_decode_at, scaled to the screen and stored
 * under a name made from its SHA-256. Files that are not good pictures are
 * refused one by one; an I/O error on the source (a stick pulled out), a
 * full disk or any write error aborts the whole import and leaves the old set
 * whole. A folder with no usable picture changes nothing (an empty playlist
 * clears the set). Fills *rep (free with media_report_clear). Blocks while
 * another import into the same media_dir runs. */
enum media_status media_import(const char *src, const struct media_import_options *opt,
                               struct media_report *rep);
void media_report_clear(struct media_report *rep);

/* The report as text for IT (Japanese first, English beside it, CRLF line
 * ends so that Windows' Notepad shows it). Returns a malloc()ed string. */
char *media_report_text(const struct media_report *rep);

/* The message for the screen: sentences, the last one ("you can remove
 * the stick") after a '\n' so that it starts a line of its own. */
void media_report_toast(const struct media_report *rep, char *buf, size_t size);

/* Writes the report as src/import-report.txt, atomically. Returns 0 or an
 * errno value (EROFS for a read-only stick). */
int media_write_report(const char *src, const struct media_report *rep);

/* True when src/import.key exists and its SHA-256 is want_hex (64
 * lowercase hex digits). Otherwise false and an English reason in why. */
bool media_key_ok(const char *src, const char *want_hex, char *why, size_t why_size);

#endif
