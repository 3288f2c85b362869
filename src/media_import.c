/* media_import: imports the pictures of an untrusted folder (a stick's
 * signage/) into media_dir as a new set, atomically (see media.h). */
#define _GNU_SOURCE /* strverscmp */
#include "media_import.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdatomic.h>
#include <unistd.h>

#include <SDL_image.h>
#include <cjson/cJSON.h>

#include "image.h"
#include "log.h"
#include "media_dir.h"
#include "playlist.h"
#include "file.h"
#include "utf8.h"
#include "util.h"
#include "xalloc.h"

#define LOCK ".lock"
#define KEY_MAX (64u << 10)
#define ENCODED_MAX (64u << 20)
#define JPEG_QUALITY 90

/* --- small helpers --------------------------------------------------------- */

/* The first `cap` names of a folder in media_name_cmp order, whatever its
 * size and its directory order: a max-heap of the smallest names seen so
 * far. `seen` counts every entry, so the report can say how many were not
 * looked at. */
struct first_names {
    char **names;
    size_t n, cap, seen;
};

static void heap_sift_down(char **h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, big = i;
        if (l < n && strverscmp(h[l], h[big]) > 0) big = l;
        if (r < n && strverscmp(h[r], h[big]) > 0) big = r;
        if (big == i) return;
        char *t = h[i];
        h[i] = h[big];
        h[big] = t;
        i = big;
    }
}

static void first_names_offer(struct first_names *fn, const char *name) {
    fn->seen++;
    if (fn->n < fn->cap) {
        fn->names = xrealloc(fn->names, sizeof *fn->names * (fn->n + 1));
        size_t i = fn->n++;
        fn->names[i] = xstrdup(name);
        while (i > 0 && strverscmp(fn->names[(i - 1) / 2], fn->names[i]) < 0) { /* sift up */
            char *t = fn->names[i];
            fn->names[i] = fn->names[(i - 1) / 2];
            fn->names[(i - 1) / 2] = t;
            i = (i - 1) / 2;
        }
    } else if (fn->cap && strverscmp(name, fn->names[0]) < 0) {
        free(fn->names[0]);
        fn->names[0] = xstrdup(name);
        heap_sift_down(fn->names, fn->n, 0);
    }
}

/* Copies name into out, showing bytes that are not UTF-8 (and control
 * characters) as \xNN, so that reports and logs stay readable. */
static void printable_name(char *out, size_t size, const char *name) {
    size_t o = 0, n = strlen(name);
    for (size_t i = 0; i < n && o + 5 < size;) {
        size_t len = 1;
        unsigned char c = (unsigned char)name[i];
        if (c >= 0x80) {
            len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (i + len > n || !utf8_valid(name + i, len)) len = 0;
        } else if (c < 0x20 || c == 0x7F) {
            len = 0;
        }
        if (len == 0) {
            o += (size_t)snprintf(out + o, size - o, "\\x%02X", c);
            i++;
        } else {
            if (o + len >= size) break;
            memcpy(out + o, name + i, len);
            o += len;
            i += len;
        }
    }
    out[o] = '\0';
}

/* Removes the plain files of dirfd/name, then the folder itself. */
static void remove_dir(int dirfd, const char *name) {
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        DIR *d = fdopendir(fd);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL)
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                    unlinkat(fd, e->d_name, 0);
            closedir(d);
        } else {
            close(fd);
        }
    }
    if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        LOG(LOG_WARN, "cannot remove %s: %s", name, strerror(errno));
}


/* --- import ----------------------------------------------------------------- */

/* An SDL_RWops that writes into a growing memory buffer (capped), so that
 * the encoded picture is written to disk by our own checked code. */
struct membuf {
    unsigned char *data;
    size_t len, cap, pos;
    bool overflow;
};

static Sint64 SDLCALL mem_size(SDL_RWops *rw) { return (Sint64)((struct membuf *)rw->hidden.unknown.data1)->len; }

static Sint64 SDLCALL mem_seek(SDL_RWops *rw, Sint64 off, int whence) {
    struct membuf *m = rw->hidden.unknown.data1;
    Sint64 base = whence == RW_SEEK_SET ? 0 : whence == RW_SEEK_CUR ? (Sint64)m->pos : (Sint64)m->len;
    Sint64 p = base + off;
    if (p < 0 || p > (Sint64)m->len) return SDL_SetError("seek out of range");
    m->pos = (size_t)p;
    return p;
}

static size_t SDLCALL mem_read(SDL_RWops *rw, void *ptr, size_t size, size_t num) {
    (void)rw, (void)ptr, (void)size, (void)num;
    return 0;
}

static size_t SDLCALL mem_write(SDL_RWops *rw, const void *ptr, size_t size, size_t num) {
    struct membuf *m = rw->hidden.unknown.data1;
    if (size == 0 || num == 0) return 0;
    if (num > ENCODED_MAX / size || m->pos + size * num > ENCODED_MAX) {
        m->overflow = true;
        return 0;
    }
    size_t n = size * num, end = m->pos + n;
    if (end > m->cap) {
        size_t cap = m->cap ? m->cap : 1u << 16;
        while (cap < end) cap *= 2;
        m->data = xrealloc(m->data, cap);
        m->cap = cap;
    }
    memcpy(m->data + m->pos, ptr, n);
    m->pos = end;
    if (end > m->len) m->len = end;
    return num;
}

static int SDLCALL mem_close(SDL_RWops *rw) {
    SDL_FreeRW(rw);
    return 0;
}

/* Encodes s as PNG or JPEG into m. False on failure. */
static bool encode(SDL_Surface *s, bool jpeg, struct membuf *m) {
    SDL_RWops *rw = SDL_AllocRW();
    if (rw == NULL) return false;
    rw->size = mem_size;
    rw->seek = mem_seek;
    rw->read = mem_read;
    rw->write = mem_write;
    rw->close = mem_close;
    rw->hidden.unknown.data1 = m;
    int rc = jpeg ? IMG_SaveJPG_RW(s, rw, 1, JPEG_QUALITY) : IMG_SavePNG_RW(s, rw, 1);
    return rc == 0 && !m->overflow && m->len > 0;
}

static struct media_outcome *outcome(struct media_report *rep, const char *raw_name) {
    if (rep->n >= MEDIA_MAX_ENTRIES) {
        rep->omitted++;
        return NULL;
    }
    if ((rep->n & (rep->n - 1)) == 0) /* grow at powers of two */
        rep->items = xrealloc(rep->items, sizeof *rep->items * (rep->n ? rep->n * 2 : 16));
    struct media_outcome *o = &rep->items[rep->n++];
    memset(o, 0, sizeof *o);
    printable_name(o->name, sizeof o->name, raw_name);
    return o;
}

static void refuse(struct media_report *rep, const char *raw_name, const char *ja, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void refuse(struct media_report *rep, const char *raw_name, const char *ja, const char *fmt, ...) {
    rep->refused++;
    struct media_outcome *o = outcome(rep, raw_name);
    if (o) {
        o->ja = ja;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(o->en, sizeof o->en, fmt, ap);
        va_end(ap);
    }
    LOG(LOG_INFO, "import: %s refused: %s", o ? o->name : "(file)", o ? o->en : ja);
}

static void abort_import(struct media_report *rep, const char *ja, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void abort_import(struct media_report *rep, const char *ja, const char *fmt, ...) {
    if (rep->aborted) return;
    rep->aborted = true;
    snprintf(rep->abort_ja, sizeof rep->abort_ja, "%s", ja);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->abort_en, sizeof rep->abort_en, fmt, ap);
    va_end(ap);
}

/* The files the stick's own bookkeeping uses: never pictures. */
static bool reserved_name(const char *s) {
    return !strcasecmp(s, "import.key") || !strcasecmp(s, "playlist.json") || !strcasecmp(s, "playlist.txt") ||
           !strcasecmp(s, MEDIA_REPORT_NAME);
}

static const char *write_error_ja(int e) {
    return e == ENOSPC || e == EDQUOT || e == EFBIG ? "保存先の空き容量が足りません"
                                                     : "保存先に書き込めません";
}

/* The new set being filled, in media_dir/.staging-XXXXXX. */
struct staging {
    int mdfd, fd;
    char name[32];
    cJSON *manifest; /* {"items": [...]} */
    cJSON *items;
    char (*files)[24]; /* stored names, to refuse duplicates */
    size_t n_files;
};

static bool staging_has(const struct staging *st, const char *file) {
    for (size_t i = 0; i < st->n_files; i++)
        if (!strcmp(st->files[i], file)) return true;
    return false;
}

static void staging_add(struct staging *st, const char *file, const char *name, const char *caption, int seconds,
                        const struct feed_validity *valid) {
    st->files = xrealloc(st->files, sizeof *st->files * (st->n_files + 1));
    snprintf(st->files[st->n_files++], sizeof st->files[0], "%s", file);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", file);
    if (name && *name) cJSON_AddStringToObject(o, "name", name);
    if (caption && *caption) cJSON_AddStringToObject(o, "caption", caption);
    if (seconds) cJSON_AddNumberToObject(o, "seconds", seconds);
    if (valid->has_from) cJSON_AddNumberToObject(o, "from", (double)valid->from);
    if (valid->has_until) cJSON_AddNumberToObject(o, "until", (double)valid->until);
    cJSON_AddItemToArray(st->items, o);
}

/* Keeps the current set's pictures (add mode): hard links, no copies. */
static bool keep_current(struct staging *st, struct media_report *rep, const char *media_dir) {
    unsigned num = media_current_set(st->mdfd);
    if (num == 0) return true;
    char setname[16];
    snprintf(setname, sizeof setname, "set-%06u", num);
    int sfd = openat(st->mdfd, setname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    size_t len = 0;
    char *text = NULL;
    if (sfd >= 0) file_read(sfd, MEDIA_MANIFEST, MEDIA_MANIFEST_MAX, FILE_UNTRUSTED, &text, &len, NULL);
    int e = errno;
    cJSON *root = text ? cJSON_ParseWithLength(text, len) : NULL;
    const cJSON *it;
    bool ok = true;
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "items"))) {
        /* Adding to a set we cannot read would quietly replace it. */
        abort_import(rep, "いま表示している画像の一覧を読めないため、追加できません", "%s/%s/%s: %s", media_dir,
                     setname, MEDIA_MANIFEST, text ? "not a manifest" : strerror(e));
        ok = false;
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(root, "items")) {
        if (!ok) break;
        const cJSON *file = cJSON_GetObjectItemCaseSensitive(it, "file");
        if (!cJSON_IsString(file) || !media_stored_name_ok(file->valuestring) || staging_has(st, file->valuestring) ||
            !media_is_regular_at(sfd, file->valuestring))
            continue;
        if (linkat(sfd, file->valuestring, st->fd, file->valuestring, 0) != 0) {
            abort_import(rep, write_error_ja(errno), "%s/%s: cannot keep %s: %s", media_dir, setname,
                         file->valuestring, strerror(errno));
            ok = false;
            break;
        }
        st->files = xrealloc(st->files, sizeof *st->files * (st->n_files + 1));
        snprintf(st->files[st->n_files++], sizeof st->files[0], "%s", file->valuestring);
        cJSON_AddItemToArray(st->items, cJSON_Duplicate(it, true));
    }
    cJSON_Delete(root);
    free(text);
    if (sfd >= 0) close(sfd);
    return ok;
}

static bool cancelled(const struct media_import_options *opt) {
    return opt->cancel && atomic_load(opt->cancel);
}

/* With the lock held: staging folders and sets newer than `current` that a
 * crash or a kill left behind (the previous set stays until the next commit). */
static void sweep_leftovers(int mdfd) {
    unsigned cur = media_current_set(mdfd);
    int dfd = dup(mdfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (d == NULL) {
        if (dfd >= 0) close(dfd);
        return;
    }
    rewinddir(d); /* a dup()ed descriptor shares its offset: start from the top */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        unsigned v = media_set_number(e->d_name);
        if (!strncmp(e->d_name, ".staging-", 9) || (v && cur && v > cur)) {
            LOG(LOG_INFO, "removing %s, left by an import that did not finish", e->d_name);
            remove_dir(mdfd, e->d_name);
        }
    }
    closedir(d);
}

/* Decodes, scales, encodes and stores one file. False when the import must
 * stop (the source is gone, or a write failed). */
static bool import_one(struct staging *st, int srcfd, const struct playlist_entry *e, const struct media_import_options *opt,
                       struct media_report *rep) {
    if (cancelled(opt)) {
        abort_import(rep, "プレーヤーの停止のため中止しました", "the player is stopping");
        return false;
    }
    if (st->n_files >= MEDIA_MAX_ITEMS) {
        refuse(rep, e->name, "画像は 100 枚までです (それより後のファイルは取り込みません)",
               "the set holds at most %d pictures", MEDIA_MAX_ITEMS);
        return true;
    }
    struct image_info info;
    char why[200] = "";
    SDL_Surface *s = image_decode_at(srcfd, e->name, opt->screen_w, opt->screen_h, true, &info, why, sizeof why);
    if (s == NULL) {
        if (info.error == IMAGE_E_GONE) {
            char shown[256];
            printable_name(shown, sizeof shown, e->name);
            abort_import(rep, "USBメモリの読み込み中にエラーが起きました (途中で外された?)", "%s: %s", shown, why);
            return false;
        }
        refuse(rep, e->name, image_error_ja(info.error), "%s", why);
        return true;
    }
    struct membuf m = {0};
    bool jpeg = info.kind == IMAGE_JPEG;
    bool ok = encode(s, jpeg, &m);
    int w = s->w, h = s->h;
    SDL_FreeSurface(s);
    if (!ok) {
        free(m.data);
        refuse(rep, e->name, "画像を保存用に変換できません", "cannot encode: %s", SDL_GetError());
        return true;
    }
    char hex[65], file[24];
    util_sha256_hex(m.data, m.len, hex);
    snprintf(file, sizeof file, "%.16s.%s", hex, jpeg ? "jpg" : "png");
    if (staging_has(st, file)) {
        free(m.data);
        refuse(rep, e->name, "同じ画像がすでにあります", "the same picture is already in the set");
        return true;
    }
    int rc = file_create_at(st->fd, file, m.data, m.len);
    free(m.data);
    if (rc) {
        /* Named as on the stick (the stored name means nothing to IT). */
        abort_import(rep, write_error_ja(rc), "%s (stored as %s): %s", e->name, file, strerror(rc));
        return false;
    }
    char shown[256];
    printable_name(shown, sizeof shown, e->name);
    staging_add(st, file, shown, e->caption, e->seconds, &e->valid);
    rep->imported++;
    struct media_outcome *o = outcome(rep, e->name);
    if (o) {
        o->imported = true;
        snprintf(o->file, sizeof o->file, "%s", file);
        o->w = w;
        o->h = h;
    }
    LOG(LOG_INFO, "import: %s -> %s (%dx%d from %dx%d)", shown, file, w, h, info.w, info.h);
    return true;
}

/* Puts the staging folder in place: set-N, then `current` swung to it by
 * rename(), then older sets removed (the one before stays, so that a
 * picture being decoded from it right now still opens). */
static int commit(struct staging *st, const char *media_dir) {
    unsigned maxn = 0, cur = media_current_set(st->mdfd);
    int dfd = dup(st->mdfd);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (d == NULL) {
        if (dfd >= 0) close(dfd);
        return errno;
    }
    rewinddir(d); /* a dup()ed descriptor shares its offset: start from the top */
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        unsigned v = media_set_number(e->d_name);
        if (v > maxn) maxn = v;
    }
    char setname[16];
    snprintf(setname, sizeof setname, "set-%06u", maxn + 1);
    if (renameat(st->mdfd, st->name, st->mdfd, setname) != 0) {
        int rc = errno;
        closedir(d);
        return rc;
    }
    snprintf(st->name, sizeof st->name, "%s", setname);
    unlinkat(st->mdfd, ".current.tmp", 0);
    if (symlinkat(setname, st->mdfd, ".current.tmp") != 0 ||
        renameat(st->mdfd, ".current.tmp", st->mdfd, MEDIA_CURRENT) != 0) {
        int rc = errno;
        unlinkat(st->mdfd, ".current.tmp", 0);
        closedir(d);
        return rc;
    }
    if (fsync(st->mdfd) != 0) LOG(LOG_WARN, "%s: fsync: %s", media_dir, strerror(errno));
    /* Clean up: sets older than the previous one, and staging folders a
     * crash left behind (we hold the lock: nobody else is importing). */
    rewinddir(d);
    while ((e = readdir(d)) != NULL) {
        unsigned v = media_set_number(e->d_name);
        if ((v && v != maxn + 1 && v != cur) || !strncmp(e->d_name, ".staging-", 9))
            remove_dir(st->mdfd, e->d_name);
    }
    closedir(d);
    return 0;
}

/* One import in progress: what media_import's steps share. */
struct run {
    const char *src;
    const struct media_import_options *opt;
    struct media_report *rep;
    int srcfd, lockfd;
    struct stat src_sb;
    struct playlist pl;
    struct staging st;
    char **names; /* the folder's first MEDIA_MAX_ENTRIES entries by name */
    size_t n_names, not_seen, seen;
    size_t kept;  /* pictures of the current set kept (add mode) */
};

/* Opens the source and media_dir, and takes media_dir's lock (waiting for
 * another import, such as a shell's --import). False: aborted. */
static bool open_and_lock(struct run *r) {
    const struct media_import_options *opt = r->opt;
    r->srcfd = open(r->src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (r->srcfd < 0 || fstat(r->srcfd, &r->src_sb) != 0) {
        abort_import(r->rep, "取り込むフォルダを開けません", "%s: %s", r->src, strerror(errno));
        return false;
    }
    if (!file_mkdir_p(opt->media_dir) ||
        (r->st.mdfd = open(opt->media_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        abort_import(r->rep, "画像の保存先 (media_dir) を作れません", "%s: %s", opt->media_dir, strerror(errno));
        return false;
    }
    /* Read-only is enough for flock, and works whoever created the file. */
    r->lockfd = openat(r->st.mdfd, LOCK, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    int lock_rc = r->lockfd < 0 ? -1 : flock(r->lockfd, LOCK_EX | LOCK_NB);
    while (lock_rc != 0 && r->lockfd >= 0 && errno == EWOULDBLOCK && !cancelled(opt)) {
        usleep(200 * 1000); /* another import (a shell's --import) is running */
        lock_rc = flock(r->lockfd, LOCK_EX | LOCK_NB);
    }
    if (lock_rc != 0) {
        int e = errno;
        abort_import(r->rep, cancelled(opt) ? "プレーヤーの停止のため中止しました" : "画像の保存先 (media_dir) を使えません",
                     "%s/%s: %s", opt->media_dir, LOCK, cancelled(opt) ? "stopping" : strerror(e));
        return false;
    }
    sweep_leftovers(r->st.mdfd);
    return true;
}

/* The folder's entries: pictures to take, or (with a playlist) to tell IT
 * that they were left out. False: aborted. */
static bool list_folder(struct run *r) {
    int lfd = dup(r->srcfd);
    DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
    if (d == NULL) {
        if (lfd >= 0) close(lfd);
        abort_import(r->rep, "取り込むフォルダを読めません", "%s: %s", r->src, strerror(errno));
        return false;
    }
    struct dirent *de;
    struct first_names first = {.cap = MEDIA_MAX_ENTRIES};
    for (;;) {
        errno = 0; /* readdir reports an error only through errno */
        if ((de = readdir(d)) == NULL) break;
        if (de->d_name[0] == '.' || reserved_name(de->d_name)) continue;
        first_names_offer(&first, de->d_name);
    }
    r->names = first.names;
    r->n_names = first.n;
    r->seen = first.seen;
    r->not_seen = first.seen - first.n;
    if (de == NULL && errno) {
        int e = errno;
        closedir(d);
        abort_import(r->rep, "USBメモリの読み込み中にエラーが起きました (途中で外された?)", "%s: %s", r->src,
                     strerror(e));
        return false;
    }
    closedir(d);
    if (r->n_names) qsort(r->names, r->n_names, sizeof *r->names, media_name_cmp);
    if (r->not_seen)
        LOG(LOG_WARN, "import: %s has %zu entries; the first %d by name were looked at, %zu were not", r->src,
            r->seen, MEDIA_MAX_ENTRIES, r->not_seen);
    return true;
}

/* The staging folder the new set is filled in, with the current set's
 * pictures in add mode. False: aborted. */
static bool make_staging(struct run *r) {
    struct staging *st = &r->st;
    const char *media_dir = r->opt->media_dir;
    snprintf(st->name, sizeof st->name, ".staging-XXXXXX");
    char tmpl[PATH_MAX];
    if ((size_t)snprintf(tmpl, sizeof tmpl, "%s/%s", media_dir, st->name) >= sizeof tmpl) {
        abort_import(r->rep, "画像の保存先 (media_dir) のパスが長すぎます", "%s: path too long", media_dir);
        return false;
    }
    if (mkdtemp(tmpl) == NULL) {
        int e = errno;
        abort_import(r->rep, write_error_ja(e), "%s: cannot make a staging folder: %s", media_dir, strerror(e));
        return false;
    }
    snprintf(st->name, sizeof st->name, "%s", strrchr(tmpl, '/') + 1);
    st->fd = openat(st->mdfd, st->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int open_errno = errno;
    if (st->fd >= 0) fchmod(st->fd, 0755); /* mkdtemp made it 0700 */
    st->manifest = cJSON_CreateObject();
    st->items = cJSON_AddArrayToObject(st->manifest, "items");
    if (st->fd < 0) {
        abort_import(r->rep, write_error_ja(open_errno), "%s: %s", st->name, strerror(open_errno));
        return false;
    }
    if (r->rep->add && !keep_current(st, r->rep, media_dir)) return false;
    r->kept = st->n_files;
    return true;
}

/* With a playlist: its entries in its order, then the folder's files it
 * does not name, refused. */
static void import_listed(struct run *r) {
    struct playlist *pl = &r->pl;
    struct media_report *rep = r->rep;
    for (size_t i = 0; i < pl->n && !rep->aborted; i++) {
        struct playlist_entry *e = &pl->items[i];
        const char *bad = e->ja ? e->ja : playlist_name_problem(e->name);
        bool dup = false;
        /* Listed twice: an earlier line for the same file that was itself
         * good (a bad line before a good one for the same file does not
         * make the good one a duplicate). */
        for (size_t k = 0; k < i && !bad; k++)
            dup |= !strcmp(pl->items[k].name, e->name) && pl->items[k].ja == NULL &&
                   playlist_name_problem(pl->items[k].name) == NULL;
        if (bad) {
            refuse(rep, e->name, bad, "%s", e->ja ? e->en : "not a plain file name of the folder");
        } else if (dup) {
            refuse(rep, e->name, "プレイリストに2回書かれています (最初の1回だけ取り込みます)",
                   "listed twice in the playlist");
        } else {
            struct stat sb;
            if (fstatat(r->srcfd, e->name, &sb, AT_SYMLINK_NOFOLLOW) != 0 && errno == ENOENT)
                refuse(rep, e->name, "プレイリストにあるファイルが見つかりません", "no such file in the folder");
            else if (!import_one(&r->st, r->srcfd, e, r->opt, rep))
                break;
        }
    }
    for (size_t i = 0; i < r->n_names && !rep->aborted; i++) {
        bool listed = false;
        for (size_t k = 0; k < pl->n && !listed; k++) listed = !strcmp(pl->items[k].name, r->names[i]);
        if (!listed)
            refuse(rep, r->names[i], "プレイリストに書かれていないので取り込みません", "not in %s", rep->playlist);
    }
}

/* Without one: every file of the folder, in name order. */
static void import_all(struct run *r) {
    for (size_t i = 0; i < r->n_names && !r->rep->aborted; i++) {
        struct playlist_entry e = {.name = r->names[i]};
        if (!utf8_valid(r->names[i], strlen(r->names[i]))) {
            refuse(r->rep, r->names[i], "ファイル名が UTF-8 ではありません (名前を付け直してください)",
                   "the file name is not UTF-8");
            continue;
        }
        if (!import_one(&r->st, r->srcfd, &e, r->opt, r->rep)) break;
    }
}

/* Puts the new set in place, unless there is nothing new (and not an
 * explicit empty playlist) or the stick went away meanwhile. */
static void finish(struct run *r) {
    struct media_report *rep = r->rep;
    if (rep->imported == 0 && !(r->pl.present && r->pl.n == 0)) {
        rep->total = r->kept;
        LOG(LOG_INFO, "import from %s: no picture to take; the set stays as it was", r->src);
        return;
    }
    /* The stick must still be there: a pulled stick means IT left before
     * being told they could. */
    struct stat now_sb;
    if (stat(r->src, &now_sb) != 0 || now_sb.st_dev != r->src_sb.st_dev || now_sb.st_ino != r->src_sb.st_ino) {
        abort_import(rep, "取り込みの途中で USBメモリが外されました", "%s vanished during the import", r->src);
        return;
    }
    char *text = cJSON_PrintUnformatted(r->st.manifest);
    int rc = text ? file_create_at(r->st.fd, MEDIA_MANIFEST, text, strlen(text)) : ENOMEM;
    cJSON_free(text);
    if (rc == 0 && fsync(r->st.fd) != 0) rc = errno;
    if (rc == 0) rc = commit(&r->st, r->opt->media_dir);
    if (rc) {
        abort_import(rep, write_error_ja(rc), "%s: %s", r->opt->media_dir, strerror(rc));
        return;
    }
    rep->committed = true;
    rep->total = r->st.n_files;
    LOG(LOG_INFO, "import from %s: %zu pictures taken, %zu refused; %s now holds %zu (%s)", r->src, rep->imported,
        rep->refused, r->st.name, rep->total, rep->add ? "added" : "replaced");
}

/* After an abort nothing was kept: no outcome may read as imported. Then
 * everything the run holds goes. */
static void end_run(struct run *r) {
    struct media_report *rep = r->rep;
    if (rep->aborted) {
        for (size_t i = 0; i < rep->n; i++)
            if (rep->items[i].imported) {
                rep->items[i].imported = false;
                rep->items[i].ja = "取り込みを中止したため保存していません";
                snprintf(rep->items[i].en, sizeof rep->items[i].en, "not kept: the import was stopped");
            }
        rep->imported = 0;
        LOG(LOG_WARN, "import from %s aborted, nothing changed: %s", r->src, rep->abort_en);
    }
    struct staging *st = &r->st;
    if (st->fd >= 0) close(st->fd);
    if (!rep->committed && st->name[0] && strncmp(st->name, ".staging-XXXXXX", 15) != 0)
        remove_dir(st->mdfd, st->name);
    cJSON_Delete(st->manifest);
    free(st->files);
    if (r->lockfd >= 0) close(r->lockfd);
    if (st->mdfd >= 0) close(st->mdfd);
    if (r->srcfd >= 0) close(r->srcfd);
    for (size_t i = 0; i < r->n_names; i++) free(r->names[i]);
    free(r->names);
    playlist_clear(&r->pl);
}

enum media_status media_import(const char *src, const struct media_import_options *opt, struct media_report *rep) {
    memset(rep, 0, sizeof *rep);
    rep->at = time(NULL);
    rep->add = opt->add;
    util_snprintf_cut(rep->source, sizeof rep->source, "%s", src);
    struct run r = {.src = src, .opt = opt, .rep = rep, .srcfd = -1, .lockfd = -1,
                    .st = {.mdfd = -1, .fd = -1}};
    if (!open_and_lock(&r)) goto done;
    playlist_read(r.srcfd, &r.pl, rep->playlist, sizeof rep->playlist);
    if (r.pl.error_ja[0]) {
        abort_import(rep, r.pl.error_ja, "%s", r.pl.error_en);
        goto done;
    }
    if (r.pl.mode_given) rep->add = r.pl.add;
    if (!list_folder(&r) || !make_staging(&r)) goto done;
    if (r.pl.present) import_listed(&r);
    else import_all(&r);
    rep->not_looked_at = r.not_seen;
    if (r.not_seen)
        refuse(rep, "…", "フォルダのファイルが多すぎます (名前順で最初の 5000 件だけを見ました)",
               "%zu entries in the folder: the first %d by name were looked at, %zu were not", r.seen,
               MEDIA_MAX_ENTRIES, r.not_seen);
    if (!rep->aborted) finish(&r);
done:
    end_run(&r);
    return rep->aborted ? MEDIA_ABORTED : MEDIA_OK;
}



bool media_key_ok(const char *src, const char *want_hex, char *why, size_t why_size) {
    int fd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        util_snprintf_cut(why, why_size, "cannot open the folder: %s", strerror(errno));
        return false;
    }
    size_t len = 0;
    char *key = NULL;
    file_read(fd, "import.key", KEY_MAX, FILE_UNTRUSTED, &key, &len, NULL);
    int e = errno;
    close(fd);
    if (key == NULL) {
        util_snprintf_cut(why, why_size, "import.key: %s",
                     e == ENOENT  ? "none on the stick"
                     : e == EFBIG ? "too large to be a key (a key is one line of 44 characters)"
                     : e == EINVAL ? "not a plain file"
                                   : strerror(e));
        return false;
    }
    char hex[65];
    util_sha256_hex(key, len, hex);
    free(key);
    /* Compared in full whatever differs first: nothing to learn from timing. */
    unsigned diff = 0;
    for (int i = 0; i < 64; i++) diff |= (unsigned)(hex[i] ^ want_hex[i]);
    if (diff) util_snprintf_cut(why, why_size, "import.key does not match usb_key_sha256");
    return diff == 0;
}

