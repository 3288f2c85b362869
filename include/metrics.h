/* metrics: what a fleet's monitoring needs of each screen, in the
 * Prometheus text format, written atomically for node_exporter's textfile
 * collector (Debian's prometheus-node-exporter) every metrics_seconds and
 * at exit. The facts are noted from any thread into one process-wide,
 * mutex-guarded record (the feed worker notes fetches, the display loop
 * frames and the panel); a small writer thread formats and replaces the
 * file, so no disk I/O happens on the display loop. */
#ifndef MISATO_METRICS_H
#define MISATO_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The panel's facts, as panel.c notes them (strings copied). */
struct metrics_panel {
    const char *method, *state, *detail;
    bool wanted_on;
    int override;             /* -1 none, 0 off, 1 on */
    unsigned long errors;
    time_t changed_at;
};

/* The default file name in state_dir; node_exporter reads *.prom. */
#define METRICS_FILE "misato-signage.prom"

/* Everything the file says, as one copy (metrics_snapshot). */
struct metrics_snapshot {
    time_t start_time;
    char version[64];
    char town[128];
    /* the feed */
    bool polling;             /* a feed_url is configured */
    int poll_seconds;
    char source[16];          /* embedded, file, cache, previous, network */
    bool has_updated_at;
    time_t feed_updated_at;   /* the feed's own updated_at */
    size_t measures;
    time_t last_attempt, last_success; /* 0: never */
    char last_result[32];     /* fetch_status_text, "invalid feed", "quarantined", "not yet" */
    long http_status;
    unsigned long attempts, failures; /* since start */
    int consecutive_failures;
    /* the screen */
    char slide[48];
    size_t slide_index, slide_count;
    unsigned long frames;
    time_t last_frame;        /* 0: none yet */
    bool screen_on;           /* slides are drawn (not outside display hours) */
    /* how frames reach the screen (display.c): path software, kms or gpu; "" before the display */
    char presentation[16];
    char renderer[96];
    bool cpu_draws;           /* the CPU draws every frame (no GPU, or GL on llvmpipe) */
    /* the panel */
    bool has_panel;
    char panel_method[16];
    char panel_state[16];
    bool panel_wanted_on;
    int panel_override;       /* -1 none, 0 off, 1 on */
    unsigned long panel_errors;
    char panel_detail[160];   /* the last failure (the status file says it) */
    time_t panel_changed_at;
    /* pictures from media_dir */
    size_t pictures;
    time_t last_import;       /* 0: none in this run */
    /* memory, read when the snapshot is taken */
    unsigned long long rss_bytes;
};

/* Starts the writer: path (its folder is created) every interval seconds
 * and once more at metrics_stop. path NULL or empty: nothing is written,
 * the notes are still kept. Returns false (logged) when the thread cannot
 * start. */
bool metrics_start(const char *path, int interval_s, const char *town);

/* Writes the file a last time and stops the writer. Safe when not started. */
void metrics_stop(void);

/* Asks the writer to write soon (a state change worth seeing at once). */
void metrics_kick(void);

/* The notes; any thread. Strings are copied (and cut to fit). */
void metrics_note_config(bool polling, int poll_seconds);
void metrics_note_feed(const char *source, bool has_updated_at, time_t updated_at, size_t measures);
void metrics_note_fetch(const char *result, long http_status, bool ok, time_t attempt,
                        int consecutive_failures);
void metrics_note_slide(const char *slide, size_t index, size_t count);
/* The display loop, once a turn: frames drawn so far, and whether slides
 * are on screen. Cheap (no I/O). */
void metrics_note_frames(unsigned long frames, bool screen_on);
void metrics_note_panel(const struct metrics_panel *p);
/* Once the display is open: how frames reach the screen. */
void metrics_note_presentation(const char *path, const char *renderer, bool cpu_draws);
void metrics_note_media(size_t pictures, bool imported_now);

/* A copy of the record now (with the process's resident memory). */
void metrics_snapshot(struct metrics_snapshot *out);

/* Clears the record (tests). */
void metrics_reset(void);

/* Formats s as of `now` into buf (NUL-terminated); returns the length, or
 * 0 when it does not fit. Pure. */
size_t metrics_format(const struct metrics_snapshot *s, time_t now, char *buf, size_t size);

#endif
