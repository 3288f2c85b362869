/* store: the feed file the town's web server publishes, and the studio's
 * last STUDIO_MAX_VERSIONS versions of it (versions_dir/NNNNNNNN.json with
 * a .meta beside it: time, user, ETag, note). Publishing compares ETags
 * and replaces the file atomically under one mutex, so of two staff saving
 * at once the second is refused, never lost. No name from a client reaches
 * the disk: versions are addressed by number. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "feed.h"
#include "file.h"
#include "log.h"
#include "studio.h"
#include "util.h"
#include "xalloc.h"

extern const unsigned char feed_default_json[];
extern const size_t feed_default_json_len;

static pthread_mutex_t store_mu = PTHREAD_MUTEX_INITIALIZER;

char *store_read(const struct studio_config *cfg, size_t *len, char etag[40]) {
    char *body = NULL;
    enum file_status us = file_read(AT_FDCWD, cfg->feed_path, FEED_MAX_BYTES, 0, &body, len, NULL);
    if (us == FILE_OK) {
        studio_etag(body, *len, etag);
        return body;
    }
    if (us == FILE_ERR_OPEN && errno == ENOENT) {
        etag[0] = '\0';
        *len = feed_default_json_len;
        body = xmalloc(feed_default_json_len + 1);
        memcpy(body, feed_default_json, feed_default_json_len + 1);
        return body;
    }
    if (us == FILE_ERR_TOO_BIG) errno = EFBIG;
    return NULL;
}

/* Version numbers present, ascending; returns the count. */
static size_t list_ids(const struct studio_config *cfg, long *ids, size_t max) {
    DIR *d = opendir(cfg->versions_dir);
    if (d == NULL) return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char num[16];
        const char *dot = strchr(e->d_name, '.');
        if (dot == NULL || strcmp(dot, ".json") != 0 || dot - e->d_name != 8) continue;
        memcpy(num, e->d_name, 8);
        num[8] = '\0';
        long id;
        if (!util_parse_long(num, 1, 99999999, &id)) continue;
        if (n < max) ids[n++] = id;
    }
    closedir(d);
    for (size_t i = 1; i < n; i++) /* insertion sort: at most a few dozen */
        for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
            long t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    return n;
}

static void version_path(const struct studio_config *cfg, long id, const char *ext, char *out,
                         size_t size) {
    util_snprintf_cut(out, size, "%s/%08ld.%s", cfg->versions_dir, id, ext);
}

static cJSON *read_meta(const struct studio_config *cfg, long id) {
    char p[PATH_MAX];
    version_path(cfg, id, "meta", p, sizeof p);
    char *text = NULL;
    size_t len;
    if (file_read(AT_FDCWD, p, 4096, 0, &text, &len, NULL) != FILE_OK) return NULL;
    cJSON *m = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(m)) {
        cJSON_Delete(m);
        return NULL;
    }
    return m;
}

/* Keeps body as the next version. Called with store_mu held. */
static int add_version(const struct studio_config *cfg, const char *body, size_t len,
                       const char *user, const char *note) {
    if (!file_mkdir_p(cfg->versions_dir)) return errno;
    long ids[1024];
    size_t n = list_ids(cfg, ids, 1024);
    long id = n ? ids[n - 1] + 1 : 1;
    char p[PATH_MAX], etag[40], when[32];
    version_path(cfg, id, "json", p, sizeof p);
    int rc = studio_write_atomic(p, body, len, 0640);
    if (rc) return rc;
    studio_etag(body, len, etag);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    cJSON *m = cJSON_CreateObject();
    cJSON_AddNumberToObject(m, "id", (double)id);
    cJSON_AddStringToObject(m, "time", when);
    cJSON_AddStringToObject(m, "user", user);
    cJSON_AddStringToObject(m, "etag", etag);
    cJSON_AddStringToObject(m, "note", note ? note : "");
    char *text = cJSON_PrintUnformatted(m);
    cJSON_Delete(m);
    version_path(cfg, id, "meta", p, sizeof p);
    rc = studio_write_atomic(p, text, strlen(text), 0640);
    free(text);
    /* Only the newest STUDIO_MAX_VERSIONS stay. */
    for (size_t i = 0; n + 1 > STUDIO_MAX_VERSIONS && i < n + 1 - STUDIO_MAX_VERSIONS; i++) {
        version_path(cfg, ids[i], "json", p, sizeof p);
        unlink(p);
        version_path(cfg, ids[i], "meta", p, sizeof p);
        unlink(p);
    }
    return rc;
}

static bool newest_version_is(const struct studio_config *cfg, const char *etag) {
    long ids[1024];
    size_t n = list_ids(cfg, ids, 1024);
    if (n == 0) return false;
    cJSON *m = read_meta(cfg, ids[n - 1]);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, "etag");
    bool same = cJSON_IsString(e) && strcmp(e->valuestring, etag) == 0;
    cJSON_Delete(m);
    return same;
}

enum store_status store_publish(const struct studio_config *cfg, const char *body, size_t len,
                                const char *base_etag, const char *user, const char *note,
                                char new_etag[40], char **current, int *err) {
    enum store_status st = STORE_OK;
    *current = NULL;
    *err = 0;
    pthread_mutex_lock(&store_mu);
    size_t cur_len = 0;
    char cur_etag[40];
    char *cur = store_read(cfg, &cur_len, cur_etag);
    if (cur == NULL) {
        *err = errno;
        st = STORE_IO;
        goto done;
    }
    if (strcmp(cur_etag, base_etag) != 0) {
        /* An edit made by hand meanwhile is kept too (and named as such). */
        if (cur_etag[0] && !newest_version_is(cfg, cur_etag))
            add_version(cfg, cur, cur_len, "-", "スタジオ以外で書かれた版 / written outside the studio");
        *current = cur;
        cur = NULL;
        st = STORE_CONFLICT;
        goto done;
    }
    /* The file as it was, if the studio has not kept it yet (a first run, or
     * an edit made by hand), so that it can be restored too. */
    if (cur_etag[0] && !newest_version_is(cfg, cur_etag))
        add_version(cfg, cur, cur_len, "-", "スタジオ以外で書かれた版 / written outside the studio");
    *err = studio_write_atomic(cfg->feed_path, body, len, 0644);
    if (*err) {
        st = STORE_IO;
        goto done;
    }
    studio_etag(body, len, new_etag);
    int rc = add_version(cfg, body, len, user, note);
    if (rc) LOG(LOG_ERROR, "%s: cannot keep the version: %s", cfg->versions_dir, strerror(rc));
done:
    pthread_mutex_unlock(&store_mu);
    free(cur);
    return st;
}

char *store_read_kept(const struct studio_config *cfg, size_t *len, char etag[40]) {
    pthread_mutex_lock(&store_mu);
    char *body = store_read(cfg, len, etag);
    int saved = errno;
    if (body && etag[0] && !newest_version_is(cfg, etag))
        add_version(cfg, body, *len, "-", "スタジオ以外で書かれた版 / written outside the studio");
    pthread_mutex_unlock(&store_mu);
    errno = saved;
    return body;
}

cJSON *store_versions(const struct studio_config *cfg) {
    long ids[1024];
    pthread_mutex_lock(&store_mu);
    size_t n = list_ids(cfg, ids, 1024);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = n; i-- > 0;) {
        cJSON *m = read_meta(cfg, ids[i]);
        if (m) cJSON_AddItemToArray(arr, m);
    }
    pthread_mutex_unlock(&store_mu);
    return arr;
}

char *store_version_text(const struct studio_config *cfg, long id, size_t *len) {
    if (id < 1 || id > 99999999) return NULL;
    char p[PATH_MAX];
    version_path(cfg, id, "json", p, sizeof p);
    char *text = NULL;
    if (file_read(AT_FDCWD, p, FEED_MAX_BYTES, 0, &text, len, NULL) != FILE_OK) return NULL;
    return text;
}

char *store_version_by_etag(const struct studio_config *cfg, const char *etag, size_t *len) {
    long ids[1024];
    pthread_mutex_lock(&store_mu);
    size_t n = list_ids(cfg, ids, 1024);
    char *text = NULL;
    for (size_t i = n; i-- > 0 && text == NULL;) {
        cJSON *m = read_meta(cfg, ids[i]);
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, "etag");
        if (cJSON_IsString(e) && strcmp(e->valuestring, etag) == 0)
            text = store_version_text(cfg, ids[i], len);
        cJSON_Delete(m);
    }
    pthread_mutex_unlock(&store_mu);
    return text;
}
