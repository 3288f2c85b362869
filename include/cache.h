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
#define CACHE_MEDIA_DIR "media" /* cache_dir/media/<sha256>.png|jpg: the feed's pictures */

struct feed;

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

/* dir/name into out (size bytes): the one place a cache or state file's
 * path is made. False (out empty) when it does not fit. */
bool cache_path(const char *dir, const char *name, char *out, size_t size);


/* Reads the meta file; false (and *meta cleared) when absent or invalid. */
bool cache_read_meta(const char *dir, struct cache_meta *meta);

/* The name the picture data[0..len) of the feed is stored under in
 * cache_dir/media: "<sha256>.png" or "<sha256>.jpg", by its magic bytes
 * (image_sniff). False (out empty) when it is neither PNG nor JPEG. */
bool cache_media_name(const char *sha256, const void *data, size_t len, char *out, size_t size);

/* Where cache_dir/media holds the picture with this SHA-256 (either
 * extension): true and its path in out when a readable file is there. */
bool cache_media_path(const char *cache_dir, const char *sha256, char *out, size_t size);

/* Where the cache holds each of a feed's media files, kept beside the feed
 * (which stays as parsed). */
struct cache_media {
    size_t n;           /* the feed's n_media */
    const char **path;  /* path[i] for feed->media[i]; NULL where it is not on disk (yet) */
};

/* Looks up every media file of feed in cache_dir/media (one access() each:
 * disk I/O, off the main thread or before the first frame). Never returns
 * NULL; free with cache_media_free (the strings go with it). */
struct cache_media *cache_media_find(const char *cache_dir, const struct feed *feed);
void cache_media_free(struct cache_media *m); /* NULL is a no-op */

/* Removes temporary files a crash left behind in dir. */
void cache_sweep(const char *dir);

#endif
