/* studio: the staff's web page for editing the lobby's feed (misato-studio).
 * One process: libmicrohttpd's threads answer requests; a single render
 * thread owns SDL and draws previews; the feed file is replaced atomically.
 * This header is what the studio's own files share; nothing in the player
 * depends on it. */
#ifndef MISATO_STUDIO_H
#define MISATO_STUDIO_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "config.h"

#define STUDIO_MAX_BODY (FEED_MAX_BYTES_STUDIO)
#define FEED_MAX_BYTES_STUDIO (1024 * 1024 + 4096) /* a feed plus the request's envelope */
#define STUDIO_MAX_VERSIONS 50
#define STUDIO_MAX_HOSTS 8

struct studio_config {
    char feed_path[PATH_MAX];     /* the file the town's web server publishes */
    char listen_addr[64];         /* "127.0.0.1" */
    int port;
    char users_file[PATH_MAX];
    char versions_dir[PATH_MAX];
    char player_config[PATH_MAX]; /* the player's signage.conf (town name, font, seconds) */
    int preview_w, preview_h;     /* the lobby screen's size and orientation */
    bool secure_cookies;          /* behind HTTPS (nginx): cookies get Secure */
    bool trust_proxy;             /* X-Real-IP from 127.0.0.1 names the client (rate limit, log) */
    char hosts[STUDIO_MAX_HOSTS][128]; /* Host values accepted besides the listen address */
    int n_hosts;
    int session_minutes;          /* idle time before a session ends */
    struct config player;         /* settings shared with the lobby player */
};

/* --- small helpers (util.c) --- */

/* A growable byte buffer, capped: append fails (returns false) past cap. */
struct sbuf {
    char *data;
    size_t len, cap_alloc, max;
};
bool sbuf_append(struct sbuf *b, const void *data, size_t len);
bool sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_free(struct sbuf *b);

/* Writes data as path atomically with the given mode: a temporary file in
 * the same folder, fsync, rename, fsync of the folder. Returns 0 or errno;
 * on failure the old file is untouched. */
int studio_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

/* Fills buf with n random bytes as 2n lowercase hex digits (OpenSSL). */
void studio_random_hex(char *out, size_t n_bytes);

/* Reads "WxH" into *w, *h (each 160..7680). */
bool studio_parse_size(const char *s, int *w, int *h);

/* The ETag of a feed body: a quoted prefix of its SHA-256. */
void studio_etag(const char *body, size_t len, char out[40]);

/* --- users and sessions (auth.c) --- */

#define STUDIO_USER_MAX 32

/* Adds or replaces user name in the users file with a salted PBKDF2 hash
 * of password. Returns 0, or an errno value (EINVAL for a bad name). */
int auth_add_user(const char *users_file, const char *name, const char *password);

/* True when name/password match the users file. Takes ~0.1 s on purpose. */
bool auth_check_password(const char *users_file, const char *name, const char *password);

/* Login attempts: false (and *retry_after seconds) while too many failures
 * came recently from this client or for this name. */
bool auth_rate_ok(const char *client, const char *name, int *retry_after);
void auth_rate_failed(const char *client, const char *name);
void auth_rate_succeeded(const char *client, const char *name);

/* A new session for user; writes its token and CSRF token (65 bytes each). */
void auth_session_new(const char *user, char token[65], char csrf[65]);
/* Looks a token up (and refreshes it); false when unknown or expired. */
bool auth_session_get(const char *token, int idle_minutes, char user[STUDIO_USER_MAX + 1],
                      char csrf[65]);
void auth_session_end(const char *token);

/* --- the feed file and its versions (store.c) --- */

/* Reads the feed file (or, when it does not exist yet, the embedded plan)
 * into a new buffer; *etag is its ETag ("" for the embedded plan). NULL
 * with errno on a read error. */
char *store_read(const struct studio_config *cfg, size_t *len, char etag[40]);

/* store_read, and when the file is not the newest kept version (the
 * studio's first look at it, or an edit made by hand) it is kept as one
 * first, so that a later conflict can say what changed and it can be
 * restored. */
char *store_read_kept(const struct studio_config *cfg, size_t *len, char etag[40]);

enum store_status {
    STORE_OK = 0,
    STORE_CONFLICT,     /* the file changed since base_etag */
    STORE_IO,           /* could not write (errno in *err) */
};

/* Replaces the feed with body if the file's ETag is still base_etag, after
 * keeping the file as it was as a version, and records body as a version
 * by user. Serialised by a mutex. On STORE_CONFLICT *current receives the
 * file's text (caller frees). */
enum store_status store_publish(const struct studio_config *cfg, const char *body, size_t len,
                                const char *base_etag, const char *user, const char *note,
                                char new_etag[40], char **current, int *err);

/* The kept versions, newest first, as a JSON array of {id, time, user,
 * etag, note}. */
cJSON *store_versions(const struct studio_config *cfg);

/* The text of version id (caller frees), or NULL. */
char *store_version_text(const struct studio_config *cfg, long id, size_t *len);

/* The text of the version whose ETag is etag, or NULL. */
char *store_version_by_etag(const struct studio_config *cfg, const char *etag, size_t *len);

/* --- changes in words (diff.c) --- */

/* What changes from old to new, one Japanese sentence per item, e.g.
 * "1-1 R7年度の実績: なし → 104件". old may be NULL (everything is new).
 * Returns a new JSON array of strings. */
cJSON *diff_words(const cJSON *old_feed, const cJSON *new_feed);

/* --- previews (preview.c) --- */

/* Starts the render thread (it owns SDL). False when the fonts are missing. */
bool preview_start(const struct studio_config *cfg);
void preview_stop(void);
/* Makes every waiting request give up (and the render thread stop after
 * its current slide): call before stopping the HTTP server, whose threads
 * may be waiting for previews. */
void preview_wake_all(void);

/* One rendered slide. */
struct preview_slide {
    char id[40];
    char hash[65]; /* of its pixels: the same hash, the same picture */
};

/* Renders (or finds in the cache) the deck of body at `at` and the
 * configured size. On success fills key (64 hex digits naming the result)
 * and returns a JSON array [{id, n, hash}], NULL on a timeout or an
 * unusable feed (why says which). Blocks the calling request thread, never
 * the render thread's SDL work on it. */
cJSON *preview_render(const char *body, size_t len, time_t at, char key[65], char *why,
                      size_t why_size);

/* A copy of PNG n of rendered result key (n = 0: the contact sheet);
 * caller frees. NULL when not cached. */
unsigned char *preview_png(const char *key, int n, size_t *len);

#endif
