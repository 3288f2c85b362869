/* cache: atomic file replacement and the feed's two generations. */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "feed.h"
#include "image.h"
#include "file.h"
#include "log.h"
#include "util.h"
#include "xalloc.h"

#define TMP_SUFFIX ".tmp-XXXXXX"

static int fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int rc = fsync(fd) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

int cache_replace_file(const char *dir, const char *name, const void *data, size_t len) {
    char path[PATH_MAX], tmp[PATH_MAX];
    if (!cache_path(dir, name, path, sizeof path) || (size_t)snprintf(tmp, sizeof tmp, "%s" TMP_SUFFIX, path) >= sizeof tmp)
        return ENAMETOOLONG;
    if (!file_mkdir_p(dir)) return errno ? errno : ENOTDIR;
    int fd = mkstemp(tmp);
    if (fd < 0) return errno;
    int rc = file_write_all(fd, data, len);
    if (rc == 0 && fchmod(fd, 0644) != 0) rc = errno;
    if (rc == 0 && fsync(fd) != 0) rc = errno;
    if (close(fd) != 0 && rc == 0) rc = errno;
    if (rc == 0 && rename(tmp, path) != 0) rc = errno;
    if (rc != 0) {
        unlink(tmp);
        return rc;
    }
    return fsync_dir(dir);
}

int cache_store_feed(const char *dir, const char *body, size_t len, const struct cache_meta *meta) {
    char cur[PATH_MAX], prev_tmp[PATH_MAX], prev[PATH_MAX];
    if (!file_mkdir_p(dir)) return errno ? errno : ENOTDIR;
    if (!cache_path(dir, CACHE_FEED, cur, sizeof cur) || !cache_path(dir, CACHE_FEED_PREV, prev, sizeof prev) ||
        !cache_path(dir, CACHE_FEED_PREV ".link", prev_tmp, sizeof prev_tmp))
        return ENAMETOOLONG;
    /* The current generation becomes the previous one: a new hard link is
     * renamed over feed.prev.json, so both names always hold a whole file. */
    unlink(prev_tmp);
    if (link(cur, prev_tmp) == 0) {
        if (rename(prev_tmp, prev) != 0) {
            int e = errno;
            unlink(prev_tmp);
            return e;
        }
    } else if (errno != ENOENT) {
        /* No hard links here (e.g. FAT): copy instead. */
        size_t n;
        char *old = NULL;
        if (file_read(AT_FDCWD, cur, 16u << 20, 0, &old, &n, NULL) == FILE_OK) {
            int e = cache_replace_file(dir, CACHE_FEED_PREV, old, n);
            free(old);
            if (e) return e;
        }
    }
    int rc = cache_replace_file(dir, CACHE_FEED, body, len);
    if (rc) return rc;
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "url", meta->url);
    cJSON_AddStringToObject(m, "etag", meta->etag);
    cJSON_AddStringToObject(m, "last_modified", meta->last_modified);
    cJSON_AddNumberToObject(m, "fetched_at", (double)meta->fetched_at);
    char *text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    if (text == NULL) return ENOMEM;
    rc = cache_replace_file(dir, CACHE_META, text, strlen(text));
    cJSON_free(text);
    return rc;
}

bool cache_path(const char *dir, const char *name, char *out, size_t size) {
    if ((size_t)snprintf(out, size, "%s/%s", dir, name) < size) return true;
    if (size) out[0] = '\0';
    return false;
}

/* Copies a short string without control characters: the ETag and date go
 * back into HTTP headers, so a damaged meta file must not inject CR/LF. */
static void copy_string(const cJSON *obj, const char *key, char *out, size_t size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    out[0] = '\0';
    if (!cJSON_IsString(v) || strlen(v->valuestring) >= size) return;
    for (const unsigned char *p = (const unsigned char *)v->valuestring; *p; p++)
        if (*p < 0x20 || *p == 0x7F) return;
    strcpy(out, v->valuestring);
}

bool cache_read_meta(const char *dir, struct cache_meta *meta) {
    memset(meta, 0, sizeof *meta);
    size_t len;
    char p[PATH_MAX], *text = NULL;
    if (!cache_path(dir, CACHE_META, p, sizeof p) || file_read(AT_FDCWD, p, 8192, 0, &text, &len, NULL) != FILE_OK)
        return false;
    cJSON *m = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
    free(text);
    if (!cJSON_IsObject(m)) {
        cJSON_Delete(m);
        return false;
    }
    copy_string(m, "url", meta->url, sizeof meta->url);
    copy_string(m, "etag", meta->etag, sizeof meta->etag);
    copy_string(m, "last_modified", meta->last_modified, sizeof meta->last_modified);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "fetched_at");
    if (cJSON_IsNumber(t)) meta->fetched_at = (time_t)t->valuedouble;
    cJSON_Delete(m);
    return true;
}

void cache_sweep(const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *t = strstr(e->d_name, ".tmp-");
        size_t n = strlen(e->d_name);
        bool is_tmp = t && strlen(t) == strlen(TMP_SUFFIX);
        bool is_link = n > 5 && strcmp(e->d_name + n - 5, ".link") == 0;
        if (!is_tmp && !is_link) continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            LOG(LOG_INFO, "%s/%s: removed a temporary file left by a crash", dir, e->d_name);
    }
    closedir(d);
}

static bool media_name_of_kind(const char *sha256, enum image_kind kind, char *out, size_t size) {
    const char *ext = image_kind_ext(kind);
    if (size) out[0] = '\0';
    return ext && (size_t)snprintf(out, size, "%s.%s", sha256, ext) < size;
}

bool cache_media_name(const char *sha256, const void *data, size_t len, char *out, size_t size) {
    return media_name_of_kind(sha256, image_sniff(data, len), out, size);
}

bool cache_media_path(const char *cache_dir, const char *sha256, char *out, size_t size) {
    static const enum image_kind kinds[] = {IMAGE_PNG, IMAGE_JPEG};
    for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
        char name[96];
        if (!media_name_of_kind(sha256, kinds[k], name, sizeof name)) continue;
        if ((size_t)snprintf(out, size, "%s/" CACHE_MEDIA_DIR "/%s", cache_dir, name) >= size) continue;
        if (access(out, R_OK) == 0) return true;
    }
    if (size) out[0] = '\0';
    return false;
}

struct cache_media *cache_media_find(const char *cache_dir, const struct feed *feed) {
    struct cache_media *m = xcalloc(1, sizeof *m);
    m->n = feed->n_media;
    m->path = xcalloc(m->n ? m->n : 1, sizeof *m->path);
    for (size_t i = 0; i < m->n; i++) {
        char p[PATH_MAX];
        if (cache_media_path(cache_dir, feed->media[i].sha256, p, sizeof p)) m->path[i] = xstrdup(p);
    }
    return m;
}

void cache_media_free(struct cache_media *m) {
    if (m == NULL) return;
    for (size_t i = 0; i < m->n; i++) free((char *)m->path[i]);
    free(m->path);
    free(m);
}
