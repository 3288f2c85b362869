/* cache: the last good feed (and its previous generation) and media on
 * disk. Every file is replaced atomically: written to a temporary file in
 * the same folder, fsync()ed, renamed over the old one, and the folder
 * fsync()ed; on any error the temporary file goes and the old file stays. */
#ifndef MISATO_CACHE_H
#define MISATO_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define CACHE_FEED "feed.json"
#define CACHE_FEED_PREV "feed.prev.json"
#define CACHE_META "feed.meta.json"

/* Writes data as dir/name atomically. Returns 0, or an errno value (the old
 * file is then untouched). */
int cache_replace_file(const char *dir, const char *name, const void *data, size_t len);

/* What the server said about the cached feed, for the next conditional GET. */
struct cache_meta {
    char url[1024];
    char etag[256];
    char last_modified[64];
    time_t fetched_at;
};

/* Stores a validated feed body: the current feed.json becomes feed.prev.json
 * (a hard link, so feed.json never goes missing), then the new body replaces
 * feed.json, then the meta file. Returns 0 or an errno value. */
int cache_store_feed(const char *dir, const char *body, size_t len, const struct cache_meta *meta);

/* Reads dir/name (at most max bytes) into a new NUL-terminated buffer the
 * caller frees, or NULL. */
char *cache_read(const char *dir, const char *name, size_t max, size_t *len);

/* Reads the meta file; false (and *meta cleared) when absent or invalid. */
bool cache_read_meta(const char *dir, struct cache_meta *meta);

/* Removes temporary files a crash left behind in dir. */
void cache_sweep(const char *dir);

#endif
