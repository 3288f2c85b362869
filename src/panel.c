/* panel: standby outside display hours through CEC, KMS DPMS or X11 DPMS. */
#include "panel.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <signal.h>
#include <sys/stat.h>

#include <linux/cec.h>

#include <SDL.h>
#include <SDL_syswm.h>
#include <X11/Xlib.h>
#include <X11/extensions/dpms.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "cache.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "status.h"
#include "file.h"
#include "util.h"
#include "xalloc.h"

#define PANEL_MAX_BACKENDS 3

const char *panel_state_name(enum panel_state s) {
    switch (s) {
    case PANEL_UNKNOWN: return "unknown";
    case PANEL_ON: return "on";
    case PANEL_STANDBY: return "standby";
    case PANEL_NO_ANSWER: return "no answer";
    case PANEL_FAILED: return "failed";
    case PANEL_BLACK: return "black";
    case PANEL_SWITCHING: return "switching";
    }
    return "?";
}

/* --- CEC messages -------------------------------------------------------- */

static uint8_t cec_header(unsigned from, unsigned to) { return (uint8_t)(((from & 15u) << 4) | (to & 15u)); }

size_t panel_cec_standby(uint8_t out[4], unsigned from) {
    out[0] = cec_header(from, CEC_LA_TV);
    out[1] = CEC_OPC_STANDBY;
    return 2;
}

size_t panel_cec_image_view_on(uint8_t out[4], unsigned from) {
    out[0] = cec_header(from, CEC_LA_TV);
    out[1] = CEC_OPC_IMAGE_VIEW_ON;
    return 2;
}

size_t panel_cec_active_source(uint8_t out[4], unsigned from, uint16_t phys_addr) {
    out[0] = cec_header(from, CEC_LA_BROADCAST);
    out[1] = CEC_OPC_ACTIVE_SOURCE;
    out[2] = (uint8_t)(phys_addr >> 8);
    out[3] = (uint8_t)(phys_addr & 0xff);
    return 4;
}

size_t panel_cec_give_power_status(uint8_t out[4], unsigned from) {
    out[0] = cec_header(from, CEC_LA_TV);
    out[1] = CEC_OPC_GIVE_POWER_STATUS;
    return 2;
}

int panel_cec_parse_power_status(const uint8_t *msg, size_t len) {
    if (len < 3 || msg[1] != CEC_OPC_REPORT_POWER_STATUS) return -1;
    switch (msg[2]) {
    case 0: /* on */
    case 2: /* in transition standby -> on */
        return 1;
    case 1: /* standby */
    case 3: /* in transition on -> standby */
        return 0;
    }
    return -1;
}

/* --- the CEC backend -------------------------------------------------------- */

struct cec_ctx {
    int fd;
    char path[32];
    unsigned la;       /* our logical address (a playback device) */
    uint16_t pa;       /* our physical address, for <Active Source> */
    bool need_claim;   /* no logical address yet: claimed on the worker, before the first message */
};

/* Claims a playback logical address. Blocking (the kernel polls the bus
 * for a free address), so it runs on the panel worker. */
static bool cec_claim(struct cec_ctx *c, char *why, size_t why_size) {
    struct cec_log_addrs la;
    memset(&la, 0, sizeof la);
    la.cec_version = CEC_OP_CEC_VERSION_1_4;
    la.num_log_addrs = 1;
    la.vendor_id = CEC_VENDOR_ID_NONE;
    snprintf(la.osd_name, sizeof la.osd_name, "Misato Signage");
    la.primary_device_type[0] = CEC_OP_PRIM_DEVTYPE_PLAYBACK;
    la.log_addr_type[0] = CEC_LOG_ADDR_TYPE_PLAYBACK;
    la.all_device_types[0] = CEC_OP_ALL_DEVTYPE_PLAYBACK;
    /* Returns once the address is claimed (or not). */
    if (ioctl(c->fd, CEC_ADAP_S_LOG_ADDRS, &la) != 0) {
        snprintf(why, why_size, "%s: claiming a playback address: %s", c->path, strerror(errno));
        return false;
    }
    if (ioctl(c->fd, CEC_ADAP_G_LOG_ADDRS, &la) != 0 || la.num_log_addrs == 0 ||
        la.log_addr[0] == CEC_LOG_ADDR_INVALID) {
        snprintf(why, why_size, "%s: no logical address could be claimed", c->path);
        return false;
    }
    c->la = la.log_addr[0];
    c->need_claim = false;
    LOG(LOG_INFO, "panel: CEC on %s claimed logical address %u", c->path, c->la);
    return true;
}

/* Sends one message; with reply != 0 waits up to 1 s for that answer,
 * copied into *answer. 0 sent (and answered), 1 no answer, -1 error. */
static int cec_send(struct cec_ctx *c, const uint8_t *bytes, size_t len, uint8_t reply,
                    struct cec_msg *answer, char *why, size_t why_size) {
    struct cec_msg m;
    memset(&m, 0, sizeof m);
    memcpy(m.msg, bytes, len);
    m.len = (__u32)len;
    m.reply = reply;
    m.timeout = reply ? 1000 : 0;
    if (ioctl(c->fd, CEC_TRANSMIT, &m) != 0) {
        snprintf(why, why_size, "%s: CEC_TRANSMIT: %s", c->path, strerror(errno));
        return errno == ENONET ? 1 : -1; /* ENONET: no logical address (no sink) */
    }
    if (!(m.tx_status & CEC_TX_STATUS_OK)) {
        snprintf(why, why_size, "%s: the TV did not acknowledge (tx_status 0x%02x%s)", c->path,
                 m.tx_status, (m.tx_status & CEC_TX_STATUS_NACK) ? ", NACK" : "");
        return 1;
    }
    if (reply && !(m.rx_status & CEC_RX_STATUS_OK)) {
        snprintf(why, why_size, "%s: no reply from the TV (rx_status 0x%02x%s)", c->path, m.rx_status,
                 (m.rx_status & CEC_RX_STATUS_FEATURE_ABORT) ? ", feature abort" : "");
        return 1;
    }
    if (answer) *answer = m;
    return 0;
}

static int cec_set(void *ctx, bool on, char *why, size_t why_size) {
    struct cec_ctx *c = ctx;
    uint8_t b[4];
    if (c->need_claim && !cec_claim(c, why, why_size)) return -1;
    if (!on) return cec_send(c, b, panel_cec_standby(b, c->la), 0, NULL, why, why_size);
    int rc = cec_send(c, b, panel_cec_image_view_on(b, c->la), 0, NULL, why, why_size);
    if (rc != 0) return rc;
    /* Broadcast: nobody acknowledges it, so its status says nothing. */
    char ignored[8];
    cec_send(c, b, panel_cec_active_source(b, c->la, c->pa), 0, NULL, ignored, sizeof ignored);
    return 0;
}

static int cec_get(void *ctx) {
    struct cec_ctx *c = ctx;
    uint8_t b[4];
    struct cec_msg m;
    char why[160];
    if (c->need_claim) return -1;
    if (cec_send(c, b, panel_cec_give_power_status(b, c->la), CEC_OPC_REPORT_POWER_STATUS, &m, why,
                 sizeof why) != 0) {
        LOG(LOG_DEBUG, "panel: %s (its power state is not known)", why);
        return -1;
    }
    return panel_cec_parse_power_status(m.msg, m.len);
}

static void cec_close(void *ctx) {
    struct cec_ctx *c = ctx;
    close(c->fd);
    free(c);
}

/* Opens one adapter: it can transmit and has an HDMI sink. Only quick
 * ioctls here (the main thread opens it); a logical address, when there is
 * none, is claimed later on the worker. NULL with *why when unusable. */
static struct cec_ctx *cec_open_one(const char *path, char *why, size_t why_size) {
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, why_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    struct cec_caps caps;
    memset(&caps, 0, sizeof caps);
    uint16_t pa = CEC_PHYS_ADDR_INVALID;
    struct cec_log_addrs la;
    memset(&la, 0, sizeof la);
    if (ioctl(fd, CEC_ADAP_G_CAPS, &caps) != 0 || !(caps.capabilities & CEC_CAP_TRANSMIT)) {
        snprintf(why, why_size, "%s: not a CEC adapter that can transmit", path);
        goto fail;
    }
    if (ioctl(fd, CEC_ADAP_G_PHYS_ADDR, &pa) != 0 || pa == CEC_PHYS_ADDR_INVALID) {
        snprintf(why, why_size, "%s: no HDMI sink connected (no physical address)", path);
        goto fail;
    }
    if (ioctl(fd, CEC_ADAP_G_LOG_ADDRS, &la) != 0) {
        snprintf(why, why_size, "%s: CEC_ADAP_G_LOG_ADDRS: %s", path, strerror(errno));
        goto fail;
    }
    bool claim = la.num_log_addrs == 0;
    if (claim && !(caps.capabilities & CEC_CAP_LOG_ADDRS)) {
        snprintf(why, why_size, "%s: no logical address and none can be claimed", path);
        goto fail;
    }
    if (!claim && la.log_addr_type[0] == CEC_LOG_ADDR_TYPE_TV) {
        /* Someone else's adapter playing the TV (vivid's first one, a PC's
         * TV card): a <Standby> from it to the TV means nothing. */
        snprintf(why, why_size, "%s: its logical address is a TV's, not a player's output", path);
        goto fail;
    }
    if (!claim && la.log_addr[0] == CEC_LOG_ADDR_INVALID) {
        snprintf(why, why_size, "%s: no logical address could be claimed", path);
        goto fail;
    }
    struct cec_ctx *c = xcalloc(1, sizeof *c);
    c->fd = fd;
    snprintf(c->path, sizeof c->path, "%s", path);
    c->la = claim ? CEC_LOG_ADDR_INVALID : la.log_addr[0];
    c->need_claim = claim;
    c->pa = pa;
    if (claim)
        LOG(LOG_INFO, "panel: CEC on %s (%s), physical address %x.%x.%x.%x, a playback address to claim", path,
            caps.driver, pa >> 12, (pa >> 8) & 15, (pa >> 4) & 15, pa & 15);
    else
        LOG(LOG_INFO, "panel: CEC on %s (%s), logical address %u, physical address %x.%x.%x.%x", path,
            caps.driver, c->la, pa >> 12, (pa >> 8) & 15, (pa >> 4) & 15, pa & 15);
    return c;
fail:
    close(fd);
    return NULL;
}

static bool cec_backend(const char *device, struct panel_backend *out, char *why, size_t why_size) {
    struct cec_ctx *c = NULL;
    if (device && device[0]) {
        c = cec_open_one(device, why, why_size);
    } else {
        snprintf(why, why_size, "no /dev/cec0..3");
        for (int i = 0; i < 4 && c == NULL; i++) {
            char path[32], one[160];
            snprintf(path, sizeof path, "/dev/cec%d", i);
            if (access(path, F_OK) != 0) continue;
            c = cec_open_one(path, one, sizeof one);
            if (c == NULL) snprintf(why, why_size, "%s", one);
        }
    }
    if (c == NULL) return false;
    /* A TV answers "on" for a moment after <Standby> (cec-follower too). */
    *out = (struct panel_backend){"cec", cec_set, cec_get, cec_close, c, 4000, .main_thread = false};
    return true;
}

/* --- DPMS of the KMS connector ------------------------------------------- */

struct kms_ctx {
    int fd; /* SDL's or the display's (kms.c); not ours to close */
    uint32_t connectors[8];
    uint32_t dpms_prop[8];
    int n;
};

static int kms_set(void *ctx, bool on, char *why, size_t why_size) {
    struct kms_ctx *k = ctx;
    for (int i = 0; i < k->n; i++)
        if (drmModeConnectorSetProperty(k->fd, k->connectors[i], k->dpms_prop[i],
                                        on ? DRM_MODE_DPMS_ON : DRM_MODE_DPMS_OFF) != 0) {
            snprintf(why, why_size, "DRM connector %u: setting DPMS: %s", k->connectors[i], strerror(errno));
            return -1;
        }
    return 0;
}

static int kms_get(void *ctx) {
    struct kms_ctx *k = ctx;
    int result = -1;
    for (int i = 0; i < k->n && result == -1; i++) {
        drmModeObjectProperties *props =
            drmModeObjectGetProperties(k->fd, k->connectors[i], DRM_MODE_OBJECT_CONNECTOR);
        if (props == NULL) continue;
        for (uint32_t j = 0; j < props->count_props; j++)
            if (props->props[j] == k->dpms_prop[i]) result = props->prop_values[j] == DRM_MODE_DPMS_ON;
        drmModeFreeObjectProperties(props);
    }
    return result;
}

static void kms_close(void *ctx) { free(ctx); }

/* The connected connectors of SDL's DRM device and their DPMS property. */
static bool kms_backend(int fd, struct panel_backend *out, char *why, size_t why_size) {
    drmModeRes *res = drmModeGetResources(fd);
    if (res == NULL) {
        snprintf(why, why_size, "KMS: drmModeGetResources: %s", strerror(errno));
        return false;
    }
    struct kms_ctx *k = xcalloc(1, sizeof *k);
    k->fd = fd;
    for (int i = 0; i < res->count_connectors && k->n < 8; i++) {
        drmModeConnector *c = drmModeGetConnectorCurrent(fd, res->connectors[i]);
        if (c == NULL) continue;
        if (c->connection == DRM_MODE_CONNECTED)
            for (int j = 0; j < c->count_props; j++) {
                drmModePropertyRes *pr = drmModeGetProperty(fd, c->props[j]);
                if (pr && strcmp(pr->name, "DPMS") == 0) {
                    k->connectors[k->n] = c->connector_id;
                    k->dpms_prop[k->n++] = pr->prop_id;
                }
                drmModeFreeProperty(pr);
            }
        drmModeFreeConnector(c);
    }
    drmModeFreeResources(res);
    if (k->n == 0) {
        snprintf(why, why_size, "KMS: no connected connector with a DPMS property");
        free(k);
        return false;
    }
    LOG(LOG_INFO, "panel: DPMS on %d KMS connector(s), the first %u", k->n, k->connectors[0]);
    *out = (struct panel_backend){"dpms-kms", kms_set, kms_get, kms_close, k, 0, .main_thread = true};
    return true;
}

/* --- DPMS through the X server ----------------------------------------- */

struct x11_ctx {
    Display *dpy;      /* SDL's; not ours to close */
    bool we_enabled;   /* DPMS was off and we turned it on to force a level */
};

static int x11_error_code;
static int x11_on_error(Display *d, XErrorEvent *e) {
    (void)d;
    x11_error_code = e->error_code;
    return 0;
}

static int x11_set(void *ctx, bool on, char *why, size_t why_size) {
    struct x11_ctx *x = ctx;
    /* An X error must not end the process (Xlib's default handler exits). */
    x11_error_code = 0;
    XSync(x->dpy, False);
    int (*old)(Display *, XErrorEvent *) = XSetErrorHandler(x11_on_error);
    CARD16 level;
    BOOL enabled = False;
    DPMSInfo(x->dpy, &level, &enabled);
    if (!on && !enabled) {
        DPMSEnable(x->dpy);
        x->we_enabled = true;
    }
    DPMSForceLevel(x->dpy, on ? DPMSModeOn : DPMSModeOff);
    if (on && x->we_enabled) { /* the server's own timeouts stay as they were */
        DPMSDisable(x->dpy);
        x->we_enabled = false;
    }
    XSync(x->dpy, False);
    XSetErrorHandler(old);
    if (x11_error_code) {
        snprintf(why, why_size, "X server: DPMS: X error %d", x11_error_code);
        return -1;
    }
    /* SDL keeps the screen saver (and so DPMS) from starting while it runs,
     * resetting it every 30 s: let the panel sleep, and stop that again
     * when it wakes. */
    if (on) SDL_DisableScreenSaver();
    else SDL_EnableScreenSaver();
    return 0;
}

static int x11_get(void *ctx) {
    struct x11_ctx *x = ctx;
    CARD16 level = 0;
    BOOL enabled = False;
    if (!DPMSInfo(x->dpy, &level, &enabled)) return -1;
    return !enabled || level == DPMSModeOn;
}

static void x11_close(void *ctx) { free(ctx); }

static bool x11_backend(Display *dpy, struct panel_backend *out, char *why, size_t why_size) {
    int ev, err;
    if (!DPMSQueryExtension(dpy, &ev, &err) || !DPMSCapable(dpy)) {
        snprintf(why, why_size, "X server: no DPMS extension");
        return false;
    }
    struct x11_ctx *x = xcalloc(1, sizeof *x);
    x->dpy = dpy;
    LOG(LOG_INFO, "panel: DPMS through the X server");
    *out = (struct panel_backend){"dpms-x11", x11_set, x11_get, x11_close, x, 0, .main_thread = true};
    return true;
}

/* --- the panel worker ------------------------------------------------------ */

/* The state the device reports, asked again every 500 ms while it still
 * says the old one, up to the backend's settle time (or until *cancel:
 * the player stops). */
static int settled_state(const struct panel_backend *b, bool on, const atomic_bool *cancel) {
    int back = b->get(b->ctx);
    for (unsigned waited = 0; back >= 0 && back != on && waited < b->settle_ms; waited += 500) {
        if (cancel && atomic_load(cancel)) break;
        SDL_Delay(500);
        back = b->get(b->ctx);
    }
    return back;
}

/* One method's set (and read back), as the state machine takes it: 0 done,
 * 1 no answer, -1 refused or not as asked. On either thread. */
static int call_method(const struct panel_backend *b, bool on, char *why, size_t why_size,
                       const atomic_bool *cancel) {
    int rc = b->set(b->ctx, on, why, why_size);
    if (rc == 0 && b->get) {
        int back = settled_state(b, on, cancel);
        if (back >= 0 && back != on) {
            snprintf(why, why_size, "%s: asked for %s, the panel says %s", b->name, on ? "on" : "standby",
                     back ? "on" : "standby");
            rc = -1;
        }
    }
    return rc;
}

/* A one-slot hand-off: the main thread gives a call, the worker makes it
 * and leaves the answer; the main thread takes it at a later turn. Neither
 * side holds the lock while a method runs. */
struct worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;         /* the worker's: a call or stop; panel_free's: finished */
    bool stop, finished;
    atomic_bool cancel;        /* stop, for a method's read backs (no lock there) */
    bool has_call, has_answer;
    const struct panel_backend *b;
    bool on;
    int rc;
    char why[160];
    void (*wake)(void *);
    void *wake_ctx;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        if (!w->has_call) {
            pthread_cond_wait(&w->cv, &w->mu);
            continue;
        }
        const struct panel_backend *b = w->b;
        bool on = w->on;
        w->has_call = false;
        pthread_mutex_unlock(&w->mu);
        char why[160] = "";
        int rc = call_method(b, on, why, sizeof why, &w->cancel);
        pthread_mutex_lock(&w->mu);
        w->rc = rc;
        snprintf(w->why, sizeof w->why, "%s", why);
        w->has_answer = true;
        void (*wake)(void *) = w->wake;
        void *ctx = w->wake_ctx;
        pthread_mutex_unlock(&w->mu);
        if (wake) wake(ctx);
        pthread_mutex_lock(&w->mu);
    }
    w->finished = true;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static struct worker *worker_start(void) {
    struct worker *w = xcalloc(1, sizeof *w);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        LOG(LOG_WARN, "panel: cannot start the panel worker; CEC is not used");
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return NULL;
    }
    return w;
}

/* Stops the worker; false when a method still hangs after 2 s (the thread
 * is then left behind with what it uses). */
static bool worker_stop(struct worker *w) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += 2;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    atomic_store(&w->cancel, true);
    w->wake = NULL;
    pthread_cond_broadcast(&w->cv);
    while (!w->finished && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0) {}
    bool finished = w->finished;
    pthread_mutex_unlock(&w->mu);
    if (!finished) {
        LOG(LOG_WARN, "panel: a CEC call still hangs after 2 s; leaving it behind");
        pthread_detach(w->thread);
        return false;
    }
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return true;
}

static void worker_give(struct worker *w, const struct panel_backend *b, bool on) {
    pthread_mutex_lock(&w->mu);
    w->b = b;
    w->on = on;
    w->has_call = true;
    w->has_answer = false;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

static bool worker_take(struct worker *w, int *rc, char *why, size_t why_size) {
    pthread_mutex_lock(&w->mu);
    bool got = w->has_answer;
    if (got) {
        *rc = w->rc;
        snprintf(why, why_size, "%s", w->why);
        w->has_answer = false;
    }
    pthread_mutex_unlock(&w->mu);
    return got;
}

/* --- the panel ---------------------------------------------------------------- */

/* A switch in progress: the methods are tried in order, those of the main
 * thread at once, CEC through the worker (one call at a time). */
struct job {
    bool active, on;
    size_t next;     /* the method to try next (or the one with the worker) */
    bool waiting;    /* method `next` is with the worker */
    int worst, done; /* 1 no answer / -1 refused; the first method that worked, or -1 */
    char why[160];
};

struct panel {
    struct panel_backend b[PANEL_MAX_BACKENDS];
    size_t n;
    int used;              /* index of the backend that last worked, or -1 */
    int override;          /* -1 none, 0 off, 1 on */
    bool have_schedule, last_schedule;
    bool have_wanted, wanted;
    enum panel_state state;
    unsigned long errors;
    bool failing;          /* a failure was logged and nothing has worked since */
    char detail[160];
    time_t changed_at;
    struct job job;
    struct worker *w;      /* NULL when every method is the main thread's */
    bool worker_busy;      /* a call is with the worker (perhaps of a job since replaced) */
    uint64_t worker_since; /* when it was given (monotonic ms) */
    int patience_ms;
    int worker_patience;   /* for the call with the worker: patience_ms and its settle time */
    unsigned version;      /* counts what was published */
};

static void publish(struct panel *p) {
    p->version++;
    struct panel_report r;
    panel_get_report(p, &r);
    struct metrics_panel m = {r.method, panel_state_name(r.state), r.detail, r.wanted_on,
                              r.override, r.errors, r.changed_at};
    metrics_note_panel(&m);
}

struct panel *panel_new(const struct panel_backend *backends, size_t n) {
    struct panel *p = xcalloc(1, sizeof *p);
    if (n > PANEL_MAX_BACKENDS) n = PANEL_MAX_BACKENDS;
    bool threaded = false;
    for (size_t i = 0; i < n; i++) {
        p->b[i] = backends[i];
        threaded |= !backends[i].main_thread;
    }
    p->n = n;
    p->used = -1;
    p->override = -1;
    p->patience_ms = PANEL_PATIENCE_MS;
    if (threaded && (p->w = worker_start()) == NULL) { /* the main thread's methods only */
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            if (p->b[i].main_thread) p->b[k++] = p->b[i];
            else if (p->b[i].close) p->b[i].close(p->b[i].ctx);
        }
        p->n = k;
    }
    publish(p);
    return p;
}

void panel_set_wake(struct panel *p, void (*wake)(void *ctx), void *ctx) {
    if (p->w == NULL) return;
    pthread_mutex_lock(&p->w->mu);
    p->w->wake = wake;
    p->w->wake_ctx = ctx;
    pthread_mutex_unlock(&p->w->mu);
}

void panel_set_patience(struct panel *p, int ms) { p->patience_ms = ms; }

unsigned panel_version(const struct panel *p) { return p->version; }

int panel_wait_ms(const struct panel *p) {
    if (!p->job.active || !p->worker_busy) return -1; /* the worker's call may be of a job replaced */
    uint64_t waited = util_monotonic_ms() - p->worker_since;
    return waited >= (uint64_t)p->worker_patience ? 0 : (int)((uint64_t)p->worker_patience - waited);
}

struct panel *panel_open(enum panel_power power, const char *cec_device, void *sdl_window, int drm_fd) {
    struct panel_backend b[PANEL_MAX_BACKENDS];
    size_t n = 0;
    char why[3][200] = {"", "", ""};
    if (power == PANEL_POWER_AUTO || power == PANEL_POWER_CEC)
        if (cec_backend(cec_device, &b[n], why[0], sizeof why[0])) n++;
    if ((power == PANEL_POWER_AUTO || power == PANEL_POWER_DPMS) && !sdl_window && drm_fd >= 0) {
        if (kms_backend(drm_fd, &b[n], why[1], sizeof why[1])) n++;
    } else if ((power == PANEL_POWER_AUTO || power == PANEL_POWER_DPMS) && sdl_window) {
        SDL_SysWMinfo info;
        SDL_VERSION(&info.version);
        if (!SDL_GetWindowWMInfo(sdl_window, &info)) {
            snprintf(why[1], sizeof why[1], "SDL_GetWindowWMInfo: %s", SDL_GetError());
        } else if (info.subsystem == SDL_SYSWM_KMSDRM) {
            if (kms_backend(info.info.kmsdrm.drm_fd, &b[n], why[1], sizeof why[1])) n++;
        } else if (info.subsystem == SDL_SYSWM_X11) {
            if (x11_backend(info.info.x11.display, &b[n], why[1], sizeof why[1])) n++;
        } else {
            snprintf(why[1], sizeof why[1], "DPMS needs the KMSDRM or X11 video driver (this is %s)",
                     SDL_GetCurrentVideoDriver());
        }
    } else if (power == PANEL_POWER_AUTO || power == PANEL_POWER_DPMS) {
        snprintf(why[1], sizeof why[1], "no window");
    }
    if (n == 0 && power != PANEL_POWER_NONE)
        LOG(power == PANEL_POWER_AUTO ? LOG_INFO : LOG_WARN,
            "panel: no way to switch the panel off (%s%s%s); outside display hours it is drawn black",
            why[0], why[0][0] && why[1][0] ? "; " : "", why[1]);
    else if (n == 0)
        LOG(LOG_INFO, "panel: panel_power = none; outside display hours the screen is drawn black");
    return panel_new(b, n);
}

void panel_free(struct panel *p) {
    if (p == NULL) return;
    /* A method that hangs keeps what it uses: the worker's backends are
     * then not closed (the process is ending). */
    bool worker_gone = p->w == NULL || worker_stop(p->w);
    for (size_t i = 0; i < p->n; i++)
        if (p->b[i].close && (worker_gone || p->b[i].main_thread)) p->b[i].close(p->b[i].ctx);
    if (worker_gone) free(p);
}

static void set_state(struct panel *p, enum panel_state s, time_t now) {
    if (s != p->state) p->changed_at = now;
    p->state = s;
}

/* Method i answered rc (why: its words) for the job in progress. To wake
 * the panel every method is told, not only the first that works: a TV
 * that did not answer CEC last evening (so DPMS put it to sleep) and
 * answers this morning must also get its signal back. Standby stops at
 * the first that works. */
static void job_answer(struct panel *p, size_t i, int rc, const char *why) {
    struct job *j = &p->job;
    j->next = i + 1;
    if (j->done >= 0) { /* already on through an earlier method */
        if (rc != 0) LOG(LOG_DEBUG, "panel: %s (%s was enough)", why, p->b[j->done].name);
        return;
    }
    if (rc == 0) {
        j->done = (int)i;
        if (!j->on) j->next = p->n;
        return;
    }
    if (rc < 0) j->worst = -1;
    snprintf(j->why, sizeof j->why, "%s", why);
    if (i + 1 < p->n) LOG(LOG_INFO, "panel: %s; trying %s", why, p->b[i + 1].name);
}

/* Every method has been tried: the state, and the log. */
static void job_finish(struct panel *p, time_t now) {
    struct job *j = &p->job;
    bool on = j->on;
    j->active = false;
    if (j->done >= 0) {
        p->used = j->done;
        set_state(p, on ? PANEL_ON : PANEL_STANDBY, now);
        if (p->failing) LOG(LOG_INFO, "panel: %s works again", p->b[j->done].name);
        p->failing = false;
        p->detail[0] = '\0';
        LOG(LOG_INFO, "panel: %s through %s", on ? "on" : "standby", p->b[j->done].name);
        return;
    }
    p->errors++;
    set_state(p, j->worst > 0 ? PANEL_NO_ANSWER : PANEL_FAILED, now);
    snprintf(p->detail, sizeof p->detail, "%s", j->why);
    /* Said once; the next change of schedule tries again, nothing sooner. */
    LOG(p->failing ? LOG_DEBUG : LOG_WARN, "panel: could not switch it %s: %s (not retried until the next change)",
        on ? "on" : "to standby", j->why);
    p->failing = true;
}

/* Goes on with the job until a method is with the worker or all were tried. */
static void job_run(struct panel *p, time_t now) {
    struct job *j = &p->job;
    while (j->active && !j->waiting) {
        if (j->next >= p->n) {
            job_finish(p, now);
            return;
        }
        size_t i = j->next;
        const struct panel_backend *b = &p->b[i];
        char why[160] = "";
        if (b->main_thread) {
            job_answer(p, i, call_method(b, j->on, why, sizeof why, NULL), why);
        } else if (!p->worker_busy) {
            worker_give(p->w, b, j->on);
            p->worker_busy = j->waiting = true;
            p->worker_since = util_monotonic_ms();
            /* a read back every 500 ms during the settle time, each up to 1 s */
            p->worker_patience = p->patience_ms + 3 * (int)b->settle_ms;
        } else if (util_monotonic_ms() - p->worker_since < (uint64_t)p->worker_patience) {
            return; /* the call of a job since replaced: its answer comes soon */
        } else {
            snprintf(why, sizeof why, "%s: the last call has not returned after %.1f s (the adapter hangs)",
                     b->name, p->worker_patience / 1000.0);
            job_answer(p, i, -1, why);
        }
    }
}

/* The worker's answer, or the end of its patience. */
static void job_poll(struct panel *p, time_t now) {
    struct job *j = &p->job;
    if (p->worker_busy) {
        int rc = 0;
        char why[160] = "";
        if (worker_take(p->w, &rc, why, sizeof why)) {
            p->worker_busy = false;
            if (j->waiting) { /* else the answer of a job since replaced */
                j->waiting = false;
                job_answer(p, j->next, rc, why);
            }
        } else if (j->waiting && util_monotonic_ms() - p->worker_since >= (uint64_t)p->worker_patience) {
            j->waiting = false; /* the worker stays busy until it returns */
            snprintf(why, sizeof why, "%s: no answer within %.1f s (the adapter hangs)", p->b[j->next].name,
                     p->worker_patience / 1000.0);
            job_answer(p, j->next, -1, why);
        }
    }
    if (j->active) {
        job_run(p, now);
        if (!j->active) publish(p);
    }
}

/* Starts switching to on (a job in progress is replaced). */
static void switch_to(struct panel *p, bool on, time_t now) {
    if (p->n == 0) {
        set_state(p, on ? PANEL_ON : PANEL_BLACK, now);
        return;
    }
    p->job = (struct job){.active = true, .on = on, .worst = 1, .done = -1};
    job_run(p, now);
    if (p->job.active) set_state(p, PANEL_SWITCHING, now);
}

bool panel_update(struct panel *p, bool schedule_on, bool alert, time_t now) {
    job_poll(p, now);
    if (p->have_schedule && schedule_on != p->last_schedule && p->override >= 0) {
        LOG(LOG_INFO, "panel: the display hours %s: IT's override (%s) ends", schedule_on ? "begin" : "end",
            p->override ? "on" : "off");
        p->override = -1;
    }
    p->have_schedule = true;
    p->last_schedule = schedule_on;
    bool want = alert || (p->override >= 0 ? p->override == 1 : schedule_on);
    if (!p->have_wanted || want != p->wanted) {
        p->have_wanted = true;
        p->wanted = want;
        switch_to(p, want, now);
        publish(p);
    }
    return want;
}

void panel_after_first_frame(struct panel *p, time_t now) {
    if (p->have_wanted && !p->wanted && p->state == PANEL_STANDBY && p->used >= 0 &&
        strcmp(p->b[p->used].name, "dpms-kms") == 0) {
        switch_to(p, false, now);
        publish(p);
    }
}

void panel_override(struct panel *p, int mode) {
    p->override = mode < 0 ? -1 : mode ? 1 : 0;
    LOG(LOG_INFO, "panel: %s", mode < 0 ? "back to the display hours" : mode ? "IT's override: on" : "IT's override: off");
    publish(p);
}

bool panel_take_request(struct panel *p, const char *state_dir) {
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", state_dir, PANEL_REQUEST_FILE);
    char *text = NULL;
    size_t len = 0;
    if (file_read(AT_FDCWD, path, 64, 0, &text, &len, NULL) != FILE_OK) {
        LOG(LOG_INFO, "SIGUSR2: no %s (misato-signage --panel on|off|auto writes it)", path);
        return false;
    }
    unlink(path);
    while (len && (text[len - 1] == '\n' || text[len - 1] == ' ' || text[len - 1] == '\r')) text[--len] = '\0';
    int mode = !strcmp(text, "on") ? 1 : !strcmp(text, "off") ? 0 : !strcmp(text, "auto") ? -1 : -2;
    if (mode == -2) LOG(LOG_WARN, "SIGUSR2: %s says neither on, off nor auto", path);
    else panel_override(p, mode);
    free(text);
    return mode != -2;
}

void panel_get_report(const struct panel *p, struct panel_report *out) {
    memset(out, 0, sizeof *out);
    out->method = p->used >= 0 ? p->b[p->used].name : p->n ? p->b[0].name : "none";
    out->state = p->state;
    out->wanted_on = p->have_wanted ? p->wanted : true;
    out->override = p->override;
    out->errors = p->errors;
    snprintf(out->detail, sizeof out->detail, "%s", p->detail);
    out->changed_at = p->changed_at;
}

/* --- the status in words, and --panel ------------------------------------ */

/* True when pid is a running misato-signage (not a reused pid). */
static bool is_player(long pid) {
    char path[64], comm[32] = "";
    snprintf(path, sizeof path, "/proc/%ld/comm", pid);
    FILE *f = fopen(path, "re");
    if (f == NULL) return false;
    bool ok = fgets(comm, sizeof comm, f) != NULL && strncmp(comm, "misato-signage", 14) == 0;
    fclose(f);
    return ok;
}

int panel_command(const char *config_path, const char *mode) {
    if (strcmp(mode, "on") && strcmp(mode, "off") && strcmp(mode, "auto")) {
        fprintf(stderr, "misato-signage: --panel wants on, off or auto\n");
        return 64;
    }
    struct config cfg;
    config_defaults_service(&cfg); /* the service's state_dir */
    struct stat sb;
    if (config_path == NULL && stat(CONFIG_DEFAULT_PATH, &sb) == 0) config_path = CONFIG_DEFAULT_PATH;
    if (config_path) config_load(config_path, &cfg, NULL);
    struct status_panel_view st;
    long pid = status_read_panel(cfg.state_dir, &st) ? st.pid : 0;
    if (pid <= 1 || !is_player(pid)) {
        printf("動いているプレーヤーが見つかりません (%s/%s)\n"
               "no running player found (its status file is %s/%s)\n",
               cfg.state_dir, STATUS_FILE, cfg.state_dir, STATUS_FILE);
        return 1;
    }
    char line[8];
    snprintf(line, sizeof line, "%s\n", mode);
    int rc = cache_replace_file(cfg.state_dir, PANEL_REQUEST_FILE, line, strlen(line));
    if (rc == 0 && kill((pid_t)pid, SIGUSR2) != 0) rc = errno;
    if (rc) {
        printf("プレーヤーに伝えられません: %s (サービスの利用者 signage か root で実行してください)\n"
               "cannot reach the player: %s (run it as the service's user signage, or as root)\n",
               strerror(rc), strerror(rc));
        return 1;
    }
    /* The player takes it on its next turn and rewrites the status file;
     * a switch through CEC is done once the state is no longer
     * "switching" (the TV may take a second to answer). */
    const char *want = !strcmp(mode, "auto") ? "none" : mode;
    /* 30 s: a CEC adapter that hangs is given up after 5 s + 3 x its settle
     * time (17 s), and a slow device may be drawing a new slide meanwhile. */
    for (int i = 0; i < 300; i++) {
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
        if (!status_read_panel(cfg.state_dir, &st) || !st.has_panel) continue;
        if (!strcmp(st.override, want) && (!strcmp(mode, "auto") || st.wanted_on == !strcmp(mode, "on")) &&
            strcmp(st.state, panel_state_name(PANEL_SWITCHING)) != 0) {
            char words[256];
            status_panel_words(st.state, st.method, st.override, st.wanted_on, words, sizeof words);
            printf("パネル / panel: %s\n", words);
            if (st.detail[0]) printf("  %s\n", st.detail);
            if (strcmp(mode, "auto"))
                printf("次に表示時間が始まるか終わるまで続きます (until the display hours next begin or end; "
                       "--panel auto ends it now)\n");
            return 0;
        }
    }
    printf("プレーヤーが30秒以内に答えませんでした / the player did not answer within 30 s\n");
    return 1;
}
