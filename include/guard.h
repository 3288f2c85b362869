/* guard: the poison guard. A feed or picture set that was on screen when the
 * player died abnormally twice in a row (a crash, an abort, the watchdog's
 * kill) is set aside, so that a crash never becomes a crash loop.
 *
 * How: state_dir/guard.json says what is on screen (the cached feed's
 * SHA-256 or "embedded"/"file", the picture set's name, when each came) and
 * what the feed worker is parsing right now; a clean exit removes it. Found
 * at the next start with the same boot id, it means the last run died; a
 * reboot or power cut (a new boot id) is not counted. The second death in a
 * row with the same content quarantines it: the newest of the incoming feed,
 * the feed on screen and the picture set. A quarantined feed moves to
 * cache_dir/quarantine/<sha256>.json (the previous generation is then shown)
 * and the worker refuses that body if the server still serves it; a set is
 * put aside in media_dir. state_dir/quarantine.json says what and why, for
 * --status; the log says it too. */
#ifndef MISATO_GUARD_H
#define MISATO_GUARD_H

#include <stdbool.h>
#include <time.h>

#define GUARD_DEATHS 2 /* deaths in a row that quarantine */

struct guard_verdict {
    int deaths;             /* abnormal deaths in a row before this start */
    bool quarantined;       /* this start set something aside */
    char what[16];          /* "feed", "incoming feed", "pictures" */
    char id[80];            /* its SHA-256 or set name */
};

/* At start, before the cached feed and media_dir are read (they may be what
 * killed the last run). Never fails: on any I/O problem it guards nothing. */
void guard_start(const char *state_dir, const char *cache_dir, const char *media_dir,
                 struct guard_verdict *v);

/* What is on screen now: feed_id is the cached feed's SHA-256 (or
 * "embedded", "file"), set_id the picture set (or ""). Any thread. */
void guard_showing(const char *feed_id, const char *set_id);

/* The feed worker is about to parse this body (NULL: done). Any thread. */
void guard_incoming(const char *sha256_hex);

/* A clean exit: nothing is suspect. */
void guard_clean_exit(void);

/* True when a body with this SHA-256 was quarantined. */
bool guard_is_quarantined(const char *cache_dir, const char *sha256_hex);

/* The SHA-256 of cache_dir/feed.json, or "" when it cannot be read. */
void guard_cached_feed_id(const char *cache_dir, char out[65]);

/* The name of media_dir's current picture set, or "". */
void guard_current_set(const char *media_dir, char *out, size_t size);

#endif
