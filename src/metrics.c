/* metrics: the Prometheus textfile for node_exporter, and its writer thread. */
#include "metrics.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "log.h"
#include "file.h"
#include "util.h"
#include "xalloc.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_snapshot rec; /* guarded by mu */

/* The writer (guarded by mu). */
static pthread_cond_t cv;
static pthread_t writer;
static bool running, stop_asked, kicked;
static char path_dir[PATH_MAX], path_name[NAME_MAX + 1];
static int interval;

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

void metrics_reset(void) {
    pthread_mutex_lock(&mu);
    memset(&rec, 0, sizeof rec);
    rec.panel_override = -1;
    pthread_mutex_unlock(&mu);
}

void metrics_note_config(bool polling, int poll_seconds) {
    pthread_mutex_lock(&mu);
    rec.polling = polling;
    rec.poll_seconds = poll_seconds;
    pthread_mutex_unlock(&mu);
}

void metrics_note_feed(const char *source, bool has_updated_at, time_t updated_at, size_t measures) {
    pthread_mutex_lock(&mu);
    COPY(rec.source, source);
    rec.has_updated_at = has_updated_at;
    rec.feed_updated_at = updated_at;
    rec.measures = measures;
    pthread_mutex_unlock(&mu);
}

void metrics_note_fetch(const char *result, long http_status, bool ok, time_t attempt,
                        int consecutive_failures) {
    pthread_mutex_lock(&mu);
    COPY(rec.last_result, result);
    rec.http_status = http_status;
    rec.last_attempt = attempt;
    rec.attempts++;
    if (ok) rec.last_success = attempt;
    else rec.failures++;
    rec.consecutive_failures = consecutive_failures;
    if (running) { /* a poll shorter than the interval must not hide a result */
        kicked = true;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
}

void metrics_note_slide(const char *slide, size_t index, size_t count) {
    pthread_mutex_lock(&mu);
    COPY(rec.slide, slide);
    rec.slide_index = index;
    rec.slide_count = count;
    pthread_mutex_unlock(&mu);
}

void metrics_note_frames(unsigned long frames, bool screen_on) {
    time_t now = time(NULL);
    pthread_mutex_lock(&mu);
    if (frames != rec.frames) rec.last_frame = now;
    rec.frames = frames;
    bool changed = rec.screen_on != screen_on;
    rec.screen_on = screen_on;
    if (changed && running) {
        kicked = true;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
}

void metrics_note_panel(const struct metrics_panel *r) {
    pthread_mutex_lock(&mu);
    rec.has_panel = true;
    COPY(rec.panel_method, r->method);
    COPY(rec.panel_state, r->state);
    rec.panel_wanted_on = r->wanted_on;
    rec.panel_override = r->override;
    rec.panel_errors = r->errors;
    COPY(rec.panel_detail, r->detail);
    rec.panel_changed_at = r->changed_at;
    if (running) {
        kicked = true;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
}

void metrics_note_presentation(const char *path, const char *renderer, bool cpu_draws) {
    pthread_mutex_lock(&mu);
    COPY(rec.presentation, path);
    COPY(rec.renderer, renderer);
    rec.cpu_draws = cpu_draws;
    pthread_mutex_unlock(&mu);
}

void metrics_note_media(size_t pictures, bool imported_now) {
    pthread_mutex_lock(&mu);
    rec.pictures = pictures;
    if (imported_now) rec.last_import = time(NULL);
    pthread_mutex_unlock(&mu);
}

/* Resident memory from /proc/self/statm (pages). */
static unsigned long long resident_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "re");
    if (f == NULL) return 0;
    unsigned long long size = 0, res = 0;
    int n = fscanf(f, "%llu %llu", &size, &res);
    fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return n == 2 && page > 0 ? res * (unsigned long long)page : 0;
}

void metrics_snapshot(struct metrics_snapshot *out) {
    unsigned long long rss = resident_bytes();
    pthread_mutex_lock(&mu);
    *out = rec;
    pthread_mutex_unlock(&mu);
    out->rss_bytes = rss;
}

/* --- the text format ------------------------------------------------------- */

struct out {
    char *buf;
    size_t size, len;
    bool over;
};

__attribute__((format(printf, 2, 3))) static void put(struct out *o, const char *fmt, ...) {
    if (o->over) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->size - o->len) o->over = true;
    else o->len += (size_t)n;
}

/* A label value: backslash, double quote and newline escaped, as the text
 * format wants; anything else (UTF-8 included) as it is. */
static void put_label(struct out *o, const char *v) {
    char esc[300];
    size_t k = 0;
    for (const char *c = v; *c && k + 3 < sizeof esc; c++) {
        if (*c == '\\' || *c == '"') esc[k++] = '\\', esc[k++] = *c;
        else if (*c == '\n') esc[k++] = '\\', esc[k++] = 'n';
        else esc[k++] = *c;
    }
    esc[k] = '\0';
    put(o, "%s", esc);
}

static void head(struct out *o, const char *name, const char *type, const char *help) {
    put(o, "# HELP misato_signage_%s %s\n# TYPE misato_signage_%s %s\n", name, help, name, type);
}

static void gauge(struct out *o, const char *name, const char *help, double v) {
    head(o, name, "gauge", help);
    put(o, "misato_signage_%s %.17g\n", name, v);
}

static void counter(struct out *o, const char *name, const char *help, double v) {
    head(o, name, "counter", help);
    put(o, "misato_signage_%s %.17g\n", name, v);
}

static void labelled(struct out *o, const char *name, const char *help, const char *label,
                     const char *value) {
    head(o, name, "gauge", help);
    put(o, "misato_signage_%s{%s=\"", name, label);
    put_label(o, value);
    put(o, "\"} 1\n");
}

size_t metrics_format(const struct metrics_snapshot *s, time_t now, char *buf, size_t size) {
    struct out o = {buf, size, 0, size == 0};
    head(&o, "info", "gauge", "The player's version and town (always 1).");
    put(&o, "misato_signage_info{version=\"");
    put_label(&o, s->version);
    put(&o, "\",town=\"");
    put_label(&o, s->town);
    put(&o, "\"} 1\n");
    gauge(&o, "start_time_seconds", "When the player started (Unix time).", (double)s->start_time);
    gauge(&o, "resident_memory_bytes", "The player's resident memory.", (double)s->rss_bytes);

    labelled(&o, "feed_source", "Where the feed on screen came from.", "source", s->source[0] ? s->source : "embedded");
    gauge(&o, "feed_polling", "1 when a feed_url is polled.", s->polling);
    gauge(&o, "poll_interval_seconds", "The configured poll_seconds.", s->poll_seconds);
    if (s->has_updated_at)
        gauge(&o, "feed_updated_timestamp_seconds", "The feed's own updated_at (Unix time).",
              (double)s->feed_updated_at);
    gauge(&o, "feed_measures", "Measures in the feed on screen.", (double)s->measures);
    if (s->polling) {
        /* Since the last good fetch (a 304 counts: the data is confirmed
         * current); since the start while none has succeeded yet. */
        time_t since = s->last_success ? s->last_success : s->start_time;
        gauge(&o, "feed_age_seconds", "Seconds since the feed was last fetched (or confirmed) successfully.",
              since && now > since ? (double)(now - since) : 0);
        gauge(&o, "fetch_last_success_timestamp_seconds", "The last successful fetch (Unix time, 0: none).",
              (double)s->last_success);
        gauge(&o, "fetch_last_attempt_timestamp_seconds", "The last fetch attempt (Unix time, 0: none).",
              (double)s->last_attempt);
        labelled(&o, "fetch_last_result", "The last fetch's result.", "result",
                 s->last_result[0] ? s->last_result : "not yet");
        gauge(&o, "fetch_last_http_status", "The last fetch's HTTP status (0: none).", (double)s->http_status);
        counter(&o, "fetch_attempts_total", "Fetch attempts since start.", (double)s->attempts);
        counter(&o, "fetch_failures_total", "Failed fetch attempts since start.", (double)s->failures);
        gauge(&o, "fetch_consecutive_failures", "Failed attempts in a row.", s->consecutive_failures);
    }

    labelled(&o, "slide_info", "The slide on screen (off: outside display hours).", "slide", s->slide);
    gauge(&o, "slide_index", "Its place in the deck (1-based; 0: none).", (double)s->slide_index);
    gauge(&o, "slides", "Slides in the deck.", (double)s->slide_count);
    gauge(&o, "screen_on", "1 while slides are drawn, 0 outside display hours.", s->screen_on);
    counter(&o, "frames_drawn_total", "Frames presented since start.", (double)s->frames);
    gauge(&o, "last_frame_timestamp_seconds", "When the last frame was presented (Unix time, 0: none).",
          (double)s->last_frame);

    if (s->presentation[0]) {
        /* Which screens of a fleet draw on the CPU (no GPU, or renderer =
         * gpu on Mesa's llvmpipe): those with the least headroom. */
        head(&o, "presentation_info", "gauge", "How frames reach the screen: path and renderer (always 1).");
        put(&o, "misato_signage_presentation_info{path=\"");
        put_label(&o, s->presentation);
        put(&o, "\",renderer=\"");
        put_label(&o, s->renderer);
        put(&o, "\"} 1\n");
        gauge(&o, "presentation_cpu", "1 when the CPU draws every frame (no GPU, or GL on llvmpipe).", s->cpu_draws);
    }
    if (s->has_panel) {
        head(&o, "panel_info", "gauge", "The panel's power method and state (always 1).");
        put(&o, "misato_signage_panel_info{method=\"");
        put_label(&o, s->panel_method);
        put(&o, "\",state=\"");
        put_label(&o, s->panel_state);
        put(&o, "\",override=\"%s\"} 1\n", s->panel_override < 0 ? "none" : s->panel_override ? "on" : "off");
        gauge(&o, "panel_wanted_on", "1 when the schedule, IT or an alert want the panel on.", s->panel_wanted_on);
        gauge(&o, "panel_on", "1 when the panel is on (or drawn black by method none), 0 in standby.",
              strcmp(s->panel_state, "standby") != 0);
        counter(&o, "panel_errors_total", "Switches of the panel that failed (the TV did not answer, ...).",
                (double)s->panel_errors);
    }
    gauge(&o, "pictures", "Pictures from media_dir in the deck.", (double)s->pictures);
    gauge(&o, "last_import_timestamp_seconds", "The last USB import in this run (Unix time, 0: none).",
          (double)s->last_import);
    return o.over ? 0 : o.len;
}

/* --- the writer ------------------------------------------------------------- */

static void write_now(void) {
    struct metrics_snapshot s;
    metrics_snapshot(&s);
    char *buf = xmalloc(16384);
    size_t len = metrics_format(&s, time(NULL), buf, 16384);
    if (len) {
        int rc = cache_replace_file(path_dir, path_name, buf, len);
        static int last_rc;
        if (rc && rc != last_rc)
            LOG(LOG_WARN, "metrics: cannot write %s/%s: %s", path_dir, path_name, strerror(rc));
        last_rc = rc;
    }
    free(buf);
}

static void *writer_thread(void *arg) {
    (void)arg;
    pthread_mutex_lock(&mu);
    while (!stop_asked) {
        pthread_mutex_unlock(&mu);
        write_now();
        pthread_mutex_lock(&mu);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += interval;
        /* A kick waits a second, so that a burst of notes makes one write. */
        while (!stop_asked && !kicked)
            if (pthread_cond_timedwait(&cv, &mu, &until) == ETIMEDOUT) break;
        if (kicked && !stop_asked) {
            pthread_mutex_unlock(&mu);
            struct timespec second = {1, 0};
            nanosleep(&second, NULL);
            pthread_mutex_lock(&mu);
        }
        kicked = false;
    }
    pthread_mutex_unlock(&mu);
    write_now();
    return NULL;
}

bool metrics_start(const char *path, int interval_s, const char *town) {
    pthread_mutex_lock(&mu);
    rec.start_time = time(NULL);
    COPY(rec.version, MISATO_VERSION);
    COPY(rec.town, town);
    pthread_mutex_unlock(&mu);
    if (path == NULL || path[0] == '\0' || running) return true;
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(path_dir, sizeof path_dir, ".");
        snprintf(path_name, sizeof path_name, "%s", path);
    } else {
        snprintf(path_dir, sizeof path_dir, "%.*s", (int)(slash - path), path);
        if (path_dir[0] == '\0') snprintf(path_dir, sizeof path_dir, "/");
        snprintf(path_name, sizeof path_name, "%s", slash + 1);
    }
    interval = interval_s > 0 ? interval_s : 60;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &ca);
    pthread_condattr_destroy(&ca);
    stop_asked = kicked = false;
    if (pthread_create(&writer, NULL, writer_thread, NULL) != 0) {
        LOG(LOG_WARN, "metrics: cannot start the writer thread");
        pthread_cond_destroy(&cv);
        return false;
    }
    running = true;
    LOG(LOG_INFO, "metrics: %s/%s every %d s", path_dir, path_name, interval);
    return true;
}

void metrics_kick(void) {
    pthread_mutex_lock(&mu);
    if (running) {
        kicked = true;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
}

void metrics_stop(void) {
    pthread_mutex_lock(&mu);
    if (!running) {
        pthread_mutex_unlock(&mu);
        return;
    }
    stop_asked = true;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    pthread_join(writer, NULL);
    pthread_mutex_lock(&mu);
    running = false;
    pthread_mutex_unlock(&mu);
    pthread_cond_destroy(&cv);
}
