/* status: the status file (state_dir/status.json) that the running player
 * writes for IT and for monitoring, and its reader (--status), which says it
 * in words, Japanese first. The one place that knows the file's schema. */
#ifndef MISATO_STATUS_H
#define MISATO_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define STATUS_FILE "status.json"

/* What goes into the file (0 times are written as null). */
struct status_report {
    const char *version, *feed_url;
    time_t last_attempt, last_success, next_attempt;
    unsigned long attempts;
    const char *result;       /* fetch_status_text or "not yet", "no feed_url", "quarantined" */
    long http_status;
    const char *error;
    int consecutive_failures;
    bool showing_saved_data;
    /* the feed on screen */
    const char *source;       /* feed_source_name */
    int schema_version;
    time_t updated_at;
    const char *etag;
    size_t measures, problems;
    int media_failed;
    /* the screen */
    const char *slide;        /* slide id, "alert" or "off" */
    size_t index, count;
    const char *media_dir;
    size_t pictures;
    const char *last_import;
    /* #17: the player's pid (what --panel signals) and the panel's power */
    long pid;
    bool has_panel;
    const char *panel_method, *panel_state, *panel_override, *panel_detail;
    bool panel_wanted_on;
    unsigned long panel_errors;
    time_t panel_changed_at;
};

/* Writes state_dir/status.json atomically, with what the poison guard set
 * aside (state_dir/quarantine.json) when there is something. Returns 0 or
 * an errno value (logged). */
int status_write(const char *state_dir, const struct status_report *r);

/* ISO 8601 local time with the offset as +09:00. */
void status_iso_time(char *buf, size_t size, time_t t);

/* The status file's panel object in words, Japanese then English, e.g.
 * "待機中 (standby, cec)、表示時間外 (outside display hours)". Pure. */
void status_panel_words(const char *state, const char *method, const char *override, bool wanted_on,
                        char *buf, size_t size);

/* What `misato-signage --panel` reads back from the running player's status
 * file (strings copied; "" when absent). */
struct status_panel_view {
    long pid;                 /* the player's, 0 when the file has none */
    bool has_panel;           /* the file has a panel object */
    char method[16], state[16], override[8];
    bool wanted_on;
    char detail[160];
};

/* Reads state_dir/status.json into *out. False when it is missing or is not
 * a JSON object. */
bool status_read_panel(const char *state_dir, struct status_panel_view *out);

/* Prints the status file at path in words. Returns 0, or 1 when it is
 * missing or unreadable (said so). */
int status_print(const char *path);

#endif
