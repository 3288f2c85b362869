/* usb: watching the mount roots for IT's stick, and media_dir for changes. */
#define _GNU_SOURCE /* pipe2 */
#include "usb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "media.h"
#include "media_import.h"
#include "util.h"
#include "xalloc.h"

#define SCAN_MS 2000
#define MAX_STICKS 64   /* signage folders remembered at once (a hub's worth, and stray ones) */
#define MAX_PER_DIR 64  /* entries looked at in a mount root and its user folders */

struct stick {
    dev_t dev;
    ino_t ino;
    bool present; /* seen in the latest scan */
};

struct usb_watch {
    struct config cfg;
    int screen_w, screen_h;
    usb_notify_fn notify;
    void *ctx;
    pthread_t thread;
    int stop_pipe[2];
    atomic_bool stopping;     /* an import in progress stops at its next file */
    unsigned long long stamp; /* media_dir as last read */
    struct stick sticks[MAX_STICKS];
    size_t n_sticks;
    bool notify_due; /* news in the mailbox not yet notified */
    /* guarded by mu */
    pthread_mutex_t mu;
    struct media_set *mailbox;
    struct usb_news news;
    struct config *pending; /* new settings (SIGHUP), taken before the next scan */
};

/* Remembers the folder; true when it is new (not seen in the scan before). */
static bool stick_seen(struct usb_watch *w, const struct stat *sb) {
    for (size_t i = 0; i < w->n_sticks; i++)
        if (w->sticks[i].dev == sb->st_dev && w->sticks[i].ino == sb->st_ino) {
            w->sticks[i].present = true;
            return false;
        }
    if (w->n_sticks == MAX_STICKS) return false; /* a hub full of sticks: ignore the rest */
    w->sticks[w->n_sticks++] = (struct stick){sb->st_dev, sb->st_ino, true};
    return true;
}

static void import_stick(struct usb_watch *w, const char *signage) {
    if (w->cfg.usb_key_sha256[0] == '\0') {
        LOG(LOG_INFO, "USB stick with %s ignored: import is off (usb_key_sha256 is not set)", signage);
        return;
    }
    char why[200];
    if (!media_key_ok(signage, w->cfg.usb_key_sha256, why, sizeof why)) {
        LOG(LOG_WARN, "USB stick with %s ignored: %s", signage, why);
        return;
    }
    LOG(LOG_INFO, "USB stick with %s: key accepted; importing", signage);
    struct media_import_options opt = {
        .media_dir = w->cfg.media_dir, .screen_w = w->screen_w, .screen_h = w->screen_h, .add = w->cfg.usb_add,
        .cancel = &w->stopping};
    struct media_report rep;
    media_import(signage, &opt, &rep);
    int rc = media_write_report(signage, &rep);
    if (rc) LOG(LOG_WARN, "%s/%s not written: %s", signage, MEDIA_REPORT_NAME, strerror(rc));
    else LOG(LOG_INFO, "report written to %s/%s", signage, MEDIA_REPORT_NAME);
    char toast[512], status[512], when[32];
    media_report_toast(&rep, toast, sizeof toast);
    struct tm tm;
    localtime_r(&rep.at, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S%z", &tm);
    util_snprintf_cut(status, sizeof status, "%s %s: %zu imported, %zu refused%s%s", when, signage, rep.imported,
                 rep.refused, rep.aborted ? "; aborted: " : "", rep.aborted ? rep.abort_en : "");
    bool ok = rep.committed && rep.imported > 0;
    media_report_clear(&rep);
    pthread_mutex_lock(&w->mu);
    memcpy(w->news.toast, toast, sizeof toast);
    memcpy(w->news.status, status, sizeof status);
    w->news.toast_ok = ok;
    pthread_mutex_unlock(&w->mu);
    w->notify_due = true; /* told after media_dir is read again: both at once */
}

/* dir/signage when it is a real folder (not a link). */
static void check_candidate(struct usb_watch *w, const char *dir) {
    char signage[PATH_MAX];
    struct stat sb;
    if ((size_t)snprintf(signage, sizeof signage, "%s/signage", dir) >= sizeof signage) return;
    if (lstat(signage, &sb) != 0 || !S_ISDIR(sb.st_mode)) return;
    if (stick_seen(w, &sb)) import_stick(w, signage);
}

/* Calls check_candidate for dir's sub-folders; with depth 2 also for theirs
 * (/media/<user>/<LABEL>). */
static void scan_dir(struct usb_watch *w, const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (d == NULL) return;
    struct dirent *e;
    int seen = 0;
    while ((e = readdir(d)) != NULL && seen < MAX_PER_DIR) {
        if (e->d_name[0] == '.') continue;
        seen++;
        char sub[PATH_MAX];
        struct stat sb;
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= sizeof sub) continue;
        if (lstat(sub, &sb) != 0 || !S_ISDIR(sb.st_mode)) continue;
        check_candidate(w, sub);
        if (depth > 1) scan_dir(w, sub, depth - 1);
    }
    closedir(d);
}

static void scan(struct usb_watch *w) {
    pthread_mutex_lock(&w->mu);
    if (w->pending) {
        /* media_dir stays: the set on screen came from it (a restart moves it). */
        char media_dir[sizeof w->cfg.media_dir];
        memcpy(media_dir, w->cfg.media_dir, sizeof media_dir);
        w->cfg = *w->pending;
        memcpy(w->cfg.media_dir, media_dir, sizeof media_dir);
        free(w->pending);
        w->pending = NULL;
    }
    pthread_mutex_unlock(&w->mu);
    for (size_t i = 0; i < w->n_sticks; i++) w->sticks[i].present = false;
    for (int r = 0; r < w->cfg.n_usb_roots; r++) scan_dir(w, w->cfg.usb_roots[r], 2);
    /* A stick taken out is forgotten: put back in, it is imported again. */
    size_t k = 0;
    for (size_t i = 0; i < w->n_sticks; i++)
        if (w->sticks[i].present) w->sticks[k++] = w->sticks[i];
    w->n_sticks = k;

    unsigned long long stamp = media_dir_stamp(w->cfg.media_dir);
    if (stamp != w->stamp) {
        w->stamp = stamp;
        struct media_set *set = media_set_load(w->cfg.media_dir);
        LOG(LOG_INFO, "%s changed: %zu pictures", w->cfg.media_dir, set->n);
        pthread_mutex_lock(&w->mu);
        media_set_free(w->mailbox);
        w->mailbox = set;
        pthread_mutex_unlock(&w->mu);
        w->notify_due = true;
    }
    if (w->notify_due) {
        w->notify_due = false;
        w->notify(w->ctx);
    }
}

static void *watch_thread(void *arg) {
    struct usb_watch *w = arg;
    int mfd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    if (w->cfg.usb_key_sha256[0] == '\0')
        LOG(LOG_INFO, "USB import is off: usb_key_sha256 is not set in the config");
    for (;;) {
        scan(w);
        struct pollfd p[2] = {{.fd = w->stop_pipe[0], .events = POLLIN}, {.fd = mfd, .events = POLLPRI}};
        int n = poll(p, mfd >= 0 ? 2 : 1, SCAN_MS);
        if (n < 0 && errno != EINTR) break;
        if (p[0].revents) break;
        /* The mount table changed: the new stick's folder may take a moment to
         * appear in the automounter's tree. */
        if (n > 0 && p[1].revents) usleep(200 * 1000);
    }
    if (mfd >= 0) close(mfd);
    return NULL;
}

struct usb_watch *usb_watch_start(const struct config *cfg, int screen_w, int screen_h,
                                  unsigned long long media_stamp, usb_notify_fn notify, void *ctx) {
    struct usb_watch *w = xcalloc(1, sizeof *w);
    w->cfg = *cfg;
    w->screen_w = screen_w;
    w->screen_h = screen_h;
    w->notify = notify;
    w->ctx = ctx;
    w->stamp = media_stamp;
    pthread_mutex_init(&w->mu, NULL);
    if (pipe2(w->stop_pipe, O_CLOEXEC) != 0) {
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    if (pthread_create(&w->thread, NULL, watch_thread, w) != 0) {
        close(w->stop_pipe[0]);
        close(w->stop_pipe[1]);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

struct media_set *usb_watch_take(struct usb_watch *w, struct usb_news *news) {
    pthread_mutex_lock(&w->mu);
    struct media_set *set = w->mailbox;
    w->mailbox = NULL;
    *news = w->news;
    memset(&w->news, 0, sizeof w->news);
    pthread_mutex_unlock(&w->mu);
    return set;
}

void usb_watch_reconfigure(struct usb_watch *w, const struct config *cfg) {
    struct config *copy = xmalloc(sizeof *copy);
    *copy = *cfg;
    pthread_mutex_lock(&w->mu);
    free(w->pending);
    w->pending = copy;
    pthread_mutex_unlock(&w->mu);
}

void usb_watch_stop(struct usb_watch *w) {
    if (w == NULL) return;
    atomic_store(&w->stopping, true);
    char c = 1;
    ssize_t r = write(w->stop_pipe[1], &c, 1);
    (void)r;
    pthread_join(w->thread, NULL);
    close(w->stop_pipe[0]);
    close(w->stop_pipe[1]);
    media_set_free(w->mailbox);
    free(w->pending);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
