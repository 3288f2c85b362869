/* media_report: what an import did (media_import.h fills it), and how it
 * is told: the report file IT find on the stick and the message on screen. */
#ifndef MISATO_MEDIA_REPORT_H
#define MISATO_MEDIA_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "media.h"

#define MEDIA_REPORT_NAME "import-report.txt"

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

/* Frees the outcomes; the report may be filled again. */
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

#endif
