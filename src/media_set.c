/* media_set: reads the set of slide pictures in media_dir (the imported
 * set that `current` names, then pictures put there by hand), and the
 * layout helpers the import shares (see media.h for the layout). */
#define _GNU_SOURCE /* strverscmp */
#include "media.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "media_dir.h"
#include "file.h"
#include "utf8.h"
#include "util.h"
#include "xalloc.h"

/* --- media_dir's layout ------------------------------------------------------ */

int media_name_cmp(const void *a, const void *b) {
    return strverscmp(*(char *const *)a, *(char *const *)b);
}

unsigned media_set_number(const char *name) {
    if (strncmp(name, "set-", 4) != 0 || strlen(name) != 10) return 0;
    unsigned v = 0;
    for (int i = 4; i < 10; i++) {
        if (name[i] < '0' || name[i] > '9') return 0;
        v = v * 10 + (unsigned)(name[i] - '0');
    }
    return v;
}

unsigned media_current_set(int mdfd) {
    char target[32];
    ssize_t n = readlinkat(mdfd, MEDIA_CURRENT, target, sizeof target - 1);
    if (n <= 0) return 0;
    target[n] = '\0';
    return media_set_number(target);
}

bool media_stored_name_ok(const char *s) {
    size_t n = strlen(s);
    if (n != 20 || (strcmp(s + 16, ".png") != 0 && strcmp(s + 16, ".jpg") != 0)) return false;
    for (size_t i = 0; i < 16; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return false;
    return true;
}

bool media_is_regular_at(int dirfd, const char *name) {
    struct stat sb;
    return fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
}

/* --- the set on disk ------------------------------------------------------- */

unsigned long long media_dir_stamp(const char *media_dir) {
    struct stat sb;
    if (stat(media_dir, &sb) != 0) return 0;
    unsigned long long h = 1469598103934665603ull;
    unsigned long long v[] = {(unsigned long long)sb.st_ino, (unsigned long long)sb.st_mtim.tv_sec,
                              (unsigned long long)sb.st_mtim.tv_nsec,
                              (unsigned long long)sb.st_ctim.tv_nsec};
    for (size_t i = 0; i < ARRAY_LEN(v); i++) h = (h ^ v[i]) * 1099511628211ull;
    return h ? h : 1;
}

/* Reads set-N/playlist.json (our own manifest) into set. */
static void load_manifest(const char *media_dir, int mdfd, unsigned num, struct media_set *set) {
    char setname[16];
    snprintf(setname, sizeof setname, "set-%06u", num);
    int sfd = openat(mdfd, setname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0) {
        LOG(LOG_WARN, "%s/%s: %s", media_dir, setname, strerror(errno));
        return;
    }
    size_t len = 0;
    char *text = NULL;
    file_read(sfd, MEDIA_MANIFEST, MEDIA_MANIFEST_MAX, FILE_UNTRUSTED, &text, &len, NULL);
    cJSON *root = text ? cJSON_ParseWithLength(text, len) : NULL;
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
    if (!cJSON_IsArray(items)) LOG(LOG_WARN, "%s/%s/%s: unreadable manifest", media_dir, setname, MEDIA_MANIFEST);
    const cJSON *it;
    cJSON_ArrayForEach(it, items) {
        if (set->n >= MEDIA_MAX_ITEMS) break;
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(it, "file");
        if (!cJSON_IsString(file) || !media_stored_name_ok(file->valuestring) ||
            !media_is_regular_at(sfd, file->valuestring))
            continue;
        struct media_item *m = &set->items[set->n];
        memset(m, 0, sizeof *m);
        if ((size_t)snprintf(m->path, sizeof m->path, "%s/%s/%s", media_dir, setname, file->valuestring) >=
            sizeof m->path)
            continue;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "name");
        if (cJSON_IsString(v) && utf8_valid(v->valuestring, strlen(v->valuestring)))
            util_snprintf_cut(m->name, sizeof m->name, "%s", v->valuestring);
        v = cJSON_GetObjectItemCaseSensitive(it, "caption");
        if (cJSON_IsString(v) && strlen(v->valuestring) <= MEDIA_MAX_CAPTION &&
            utf8_valid(v->valuestring, strlen(v->valuestring)))
            snprintf(m->caption, sizeof m->caption, "%s", v->valuestring);
        v = cJSON_GetObjectItemCaseSensitive(it, "seconds");
        if (cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= MEDIA_MAX_SECONDS)
            m->seconds = (int)v->valuedouble;
        v = cJSON_GetObjectItemCaseSensitive(it, "from");
        if (cJSON_IsNumber(v)) m->valid.has_from = true, m->valid.from = (time_t)v->valuedouble;
        v = cJSON_GetObjectItemCaseSensitive(it, "until");
        if (cJSON_IsNumber(v)) m->valid.has_until = true, m->valid.until = (time_t)v->valuedouble;
        set->n++;
    }
    cJSON_Delete(root);
    free(text);
    close(sfd);
}

struct media_set *media_set_load(const char *media_dir) {
    struct media_set *set = xmalloc(sizeof *set);
    set->n = 0;
    int mdfd = open(media_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mdfd < 0) return set;
    unsigned num = media_current_set(mdfd);
    if (num) load_manifest(media_dir, mdfd, num, set);
    /* Then the pictures put into media_dir by hand. */
    DIR *d = fdopendir(mdfd);
    if (d == NULL) {
        close(mdfd);
        return set;
    }
    char *names[MEDIA_MAX_ITEMS];
    size_t n = 0, room = MEDIA_MAX_ITEMS - set->n;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < room) {
        const char *dot = strrchr(e->d_name, '.');
        if (e->d_name[0] == '.' || dot == NULL) continue;
        if (strcasecmp(dot, ".png") && strcasecmp(dot, ".jpg") && strcasecmp(dot, ".jpeg")) continue;
        if (!utf8_valid(e->d_name, strlen(e->d_name)) || !media_is_regular_at(dirfd(d), e->d_name)) continue;
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], media_name_cmp);
    for (size_t i = 0; i < n; i++) {
        struct media_item *m = &set->items[set->n];
        memset(m, 0, sizeof *m);
        if ((size_t)snprintf(m->path, sizeof m->path, "%s/%s", media_dir, names[i]) < sizeof m->path) {
            util_snprintf_cut(m->name, sizeof m->name, "%s", names[i]);
            set->n++;
        }
        free(names[i]);
    }
    return set;
}

void media_set_free(struct media_set *set) { free(set); }

