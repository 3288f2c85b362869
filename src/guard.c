/* guard: the poison guard (see guard.h). */
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cache.h"
#include "feed.h"
#include "file.h"
#include "log.h"
#include "util.h"

#define GUARD_FILE "guard.json"
#define VERDICT_FILE "quarantine.json"
#define QUARANTINE_DIR "quarantine"
#define GUARD_MAX 4096

/* What guard.json holds; one copy in memory, rewritten on every change. */
struct record {
    char boot[40];
    char feed[80], set[80], incoming[80];
    time_t feed_since, set_since;
    int deaths; /* deaths in a row with this feed and set on screen */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct record cur;
static struct record suspect; /* what the last run died with (deaths counted) */
static char state_path[PATH_MAX];
static bool active;

static void boot_id(char out[40]) {
    out[0] = '\0';
    size_t len = 0;
    char *s = NULL;
    if (file_read(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 64, 0, &s, &len, NULL) == FILE_OK) {
        snprintf(out, 40, "%.36s", s);
        free(s);
    }
}

static void str_field(const cJSON *o, const char *k, char *out, size_t size) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    snprintf(out, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static bool read_record(const char *dir, struct record *r) {
    memset(r, 0, sizeof *r);
    size_t len = 0;
    char p[PATH_MAX], *text = NULL;
    if (!cache_path(dir, GUARD_FILE, p, sizeof p) || file_read(AT_FDCWD, p, GUARD_MAX, 0, &text, &len, NULL) != FILE_OK)
        return false;
    cJSON *o = cJSON_ParseWithLength(text, len);
    free(text);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return false;
    }
    str_field(o, "boot", r->boot, sizeof r->boot);
    str_field(o, "feed", r->feed, sizeof r->feed);
    str_field(o, "set", r->set, sizeof r->set);
    str_field(o, "incoming", r->incoming, sizeof r->incoming);
    const cJSON *v;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(o, "feed_since"))) r->feed_since = (time_t)v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(o, "set_since"))) r->set_since = (time_t)v->valuedouble;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(o, "deaths"))) r->deaths = v->valueint;
    if (r->deaths < 0 || r->deaths > 1000) r->deaths = 0;
    cJSON_Delete(o);
    return true;
}

/* Called with mu held. */
static void write_record(void) {
    if (!active) return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "boot", cur.boot);
    cJSON_AddNumberToObject(o, "pid", (double)getpid());
    cJSON_AddStringToObject(o, "feed", cur.feed);
    cJSON_AddNumberToObject(o, "feed_since", (double)cur.feed_since);
    cJSON_AddStringToObject(o, "set", cur.set);
    cJSON_AddNumberToObject(o, "set_since", (double)cur.set_since);
    cJSON_AddStringToObject(o, "incoming", cur.incoming);
    cJSON_AddNumberToObject(o, "deaths", cur.deaths);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    int rc = text ? cache_replace_file(state_path, GUARD_FILE, text, strlen(text)) : ENOMEM;
    if (rc) LOG(LOG_WARN, "%s/%s: cannot write: %s", state_path, GUARD_FILE, strerror(rc));
    free(text);
}

static bool is_hash(const char *s) {
    if (strlen(s) != 64) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return false;
    return true;
}

void guard_cached_feed_id(const char *cache_dir, char out[65]) {
    out[0] = '\0';
    size_t len = 0;
    char p[PATH_MAX], *body = NULL;
    if (cache_path(cache_dir, CACHE_FEED, p, sizeof p) &&
        file_read(AT_FDCWD, p, FEED_MAX_BYTES, 0, &body, &len, NULL) == FILE_OK)
        util_sha256_hex(body, len, out);
    free(body);
}

void guard_current_set(const char *media_dir, char *out, size_t size) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/current", media_dir);
    ssize_t n = readlink(path, out, size - 1);
    out[n > 0 ? n : 0] = '\0';
}

/* Marks a feed body as poison: cache_dir/quarantine/<hash>.json holds the
 * body when it is the cached one (moved there: the previous generation is
 * then what the start shows), else a note. */
static bool quarantine_feed(const char *cache_dir, const char *hash, bool incoming) {
    char qdir[PATH_MAX], dst[PATH_MAX + 80];
    snprintf(qdir, sizeof qdir, "%s/%s", cache_dir, QUARANTINE_DIR);
    if (!file_mkdir_p(qdir)) return false;
    snprintf(dst, sizeof dst, "%s/%s.json", qdir, hash);
    char id[65];
    guard_cached_feed_id(cache_dir, id);
    char src[PATH_MAX + 32];
    snprintf(src, sizeof src, "%s/%s", cache_dir, CACHE_FEED);
    if (!incoming && strcmp(id, hash) == 0) {
        if (rename(src, dst) != 0) return false;
        /* Its validators too: the next fetch asks afresh, so a server still
         * serving it is refused by hash rather than answered "not modified". */
        snprintf(src, sizeof src, "%s/%s", cache_dir, CACHE_META);
        unlink(src);
        return true;
    }
    static const char note[] = "{\"note\": \"set aside by hash: the player died twice with it\"}\n";
    return cache_replace_file(qdir, strrchr(dst, '/') + 1, note, sizeof note - 1) == 0;
}

static bool quarantine_set(const char *media_dir, const char *set) {
    char cur_link[PATH_MAX], aside[PATH_MAX + 100];
    snprintf(cur_link, sizeof cur_link, "%s/current", media_dir);
    snprintf(aside, sizeof aside, "%s/quarantined-%s", media_dir, set);
    return rename(cur_link, aside) == 0;
}

static void write_verdict(const char *state_dir, const struct guard_verdict *v) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "what", v->what);
    cJSON_AddStringToObject(o, "id", v->id);
    cJSON_AddNumberToObject(o, "at", (double)time(NULL));
    cJSON_AddNumberToObject(o, "deaths", v->deaths);
    cJSON_AddStringToObject(o, "why_ja", "表示中にプレーヤーが2回続けて異常終了したため、使わないようにしました");
    cJSON_AddStringToObject(o, "why", "the player died abnormally twice in a row while this was on screen");
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (text) cache_replace_file(state_dir, VERDICT_FILE, text, strlen(text));
    free(text);
}

void guard_start(const char *state_dir, const char *cache_dir, const char *media_dir,
                 struct guard_verdict *v) {
    memset(v, 0, sizeof *v);
    pthread_mutex_lock(&mu);
    snprintf(state_path, sizeof state_path, "%s", state_dir);
    active = file_mkdir_p(state_dir);
    memset(&cur, 0, sizeof cur);
    boot_id(cur.boot);
    struct record prev;
    memset(&suspect, 0, sizeof suspect);
    if (read_record(state_dir, &prev) && prev.boot[0] && strcmp(prev.boot, cur.boot) == 0) {
        /* The last run of this boot did not exit cleanly. */
        suspect = prev;
        suspect.deaths = prev.deaths + 1;
        v->deaths = suspect.deaths;
        LOG(LOG_WARN, "the last run ended abnormally (%d in a row with feed %.12s, pictures %s)", suspect.deaths,
            prev.feed[0] ? prev.feed : "-", prev.set[0] ? prev.set : "-");
    }
    if (suspect.deaths >= GUARD_DEATHS) {
        /* The newest arrival is the suspect: a feed being parsed, else the
         * later of the feed and the picture set on screen. */
        bool done = false;
        if (is_hash(suspect.incoming)) {
            snprintf(v->what, sizeof v->what, "incoming feed");
            snprintf(v->id, sizeof v->id, "%s", suspect.incoming);
            done = quarantine_feed(cache_dir, suspect.incoming, true);
        } else if (is_hash(suspect.feed) && (!suspect.set[0] || suspect.feed_since >= suspect.set_since)) {
            snprintf(v->what, sizeof v->what, "feed");
            snprintf(v->id, sizeof v->id, "%s", suspect.feed);
            done = quarantine_feed(cache_dir, suspect.feed, false);
        } else if (suspect.set[0] && strchr(suspect.set, '/') == NULL) {
            snprintf(v->what, sizeof v->what, "pictures");
            snprintf(v->id, sizeof v->id, "%s", suspect.set);
            done = quarantine_set(media_dir, suspect.set);
        }
        if (done) {
            v->quarantined = true;
            write_verdict(state_dir, v);
            LOG(LOG_ERROR, "poison guard: %s %s set aside: the player died twice in a row with it on screen",
                v->what, v->id);
            memset(&suspect, 0, sizeof suspect);
        } else if (v->what[0]) {
            LOG(LOG_ERROR, "poison guard: cannot set aside %s %s: %s", v->what, v->id, strerror(errno));
        } else {
            LOG(LOG_ERROR, "poison guard: the player died twice in a row with nothing to set aside "
                           "(the embedded plan and no pictures): not a content problem");
        }
    }
    write_record();
    pthread_mutex_unlock(&mu);
}

void guard_showing(const char *feed_id, const char *set_id) {
    pthread_mutex_lock(&mu);
    time_t now = time(NULL);
    if (strcmp(cur.feed, feed_id) != 0) {
        snprintf(cur.feed, sizeof cur.feed, "%s", feed_id);
        cur.feed_since = now;
    }
    if (strcmp(cur.set, set_id) != 0) {
        snprintf(cur.set, sizeof cur.set, "%s", set_id);
        cur.set_since = now;
    }
    /* Deaths count only while the same content stays on screen. */
    bool same = strcmp(cur.feed, suspect.feed) == 0 && strcmp(cur.set, suspect.set) == 0;
    cur.deaths = same ? suspect.deaths : 0;
    if (same) {
        cur.feed_since = suspect.feed_since;
        cur.set_since = suspect.set_since;
    }
    write_record();
    pthread_mutex_unlock(&mu);
}

void guard_incoming(const char *sha256_hex) {
    pthread_mutex_lock(&mu);
    snprintf(cur.incoming, sizeof cur.incoming, "%s", sha256_hex ? sha256_hex : "");
    write_record();
    pthread_mutex_unlock(&mu);
}

void guard_clean_exit(void) {
    pthread_mutex_lock(&mu);
    if (active) {
        char path[PATH_MAX + 16];
        snprintf(path, sizeof path, "%s/%s", state_path, GUARD_FILE);
        unlink(path);
        active = false;
    }
    pthread_mutex_unlock(&mu);
}

bool guard_is_quarantined(const char *cache_dir, const char *sha256_hex) {
    if (!is_hash(sha256_hex)) return false;
    char path[PATH_MAX + 100];
    snprintf(path, sizeof path, "%s/%s/%s.json", cache_dir, QUARANTINE_DIR, sha256_hex);
    return access(path, F_OK) == 0;
}
