/* kms: frames on a KMS dumb buffer, only the changed rectangles copied. */
#include "kms.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libdrm/virtgpu_drm.h>
#include <xf86drm.h>
#include <xf86drmMode.h>

#include "log.h"
#include "xalloc.h"

/* DIRTYFB takes at most this many clips at once (DRM_MODE_FB_DIRTY_MAX_CLIPS). */
enum { KMS_MAX_CLIPS = 256 };

struct kms {
    int fd;
    uint32_t connector, crtc, fb, handle;
    drmModeModeInfo mode;
    drmModeCrtc *saved; /* the CRTC as it was (the console), put back at close */
    uint8_t *map;       /* the scan-out buffer */
    size_t map_len;
    uint32_t pitch;
    SDL_Surface *shadow; /* what the frames are drawn on */
    bool dirty_fb;       /* the driver takes DIRTYFB (off after ENOSYS) */
    bool dirty_warned;
    char output[80]; /* "Virtual-1 1280x800@60" */
    char desc[160];
};

/* The CRTC the connector's encoder drives now, else the first one an
 * encoder of the connector can drive; 0 when none. */
static uint32_t find_crtc(int fd, const drmModeRes *res, const drmModeConnector *c) {
    if (c->encoder_id) {
        drmModeEncoder *e = drmModeGetEncoder(fd, c->encoder_id);
        uint32_t id = e ? e->crtc_id : 0;
        drmModeFreeEncoder(e);
        if (id) return id;
    }
    for (int i = 0; i < c->count_encoders; i++) {
        drmModeEncoder *e = drmModeGetEncoder(fd, c->encoders[i]);
        if (e == NULL) continue;
        uint32_t id = 0;
        for (int j = 0; j < res->count_crtcs && !id; j++)
            if (e->possible_crtcs & (1u << j)) id = res->crtcs[j];
        drmModeFreeEncoder(e);
        if (id) return id;
    }
    return 0;
}

/* The first connected connector with a mode and a CRTC: its preferred
 * mode (else its first). */
static bool pick_output(struct kms *k, char *why, size_t why_size) {
    drmModeRes *res = drmModeGetResources(k->fd);
    if (res == NULL) {
        snprintf(why, why_size, "drmModeGetResources: %s", strerror(errno));
        return false;
    }
    bool found = false;
    for (int i = 0; i < res->count_connectors && !found; i++) {
        drmModeConnector *c = drmModeGetConnector(k->fd, res->connectors[i]);
        if (c == NULL) continue;
        uint32_t crtc = c->connection == DRM_MODE_CONNECTED && c->count_modes > 0 ? find_crtc(k->fd, res, c) : 0;
        if (crtc) {
            int m = 0;
            for (int j = c->count_modes - 1; j >= 0; j--)
                if (c->modes[j].type & DRM_MODE_TYPE_PREFERRED) m = j;
            k->connector = c->connector_id;
            k->crtc = crtc;
            k->mode = c->modes[m];
            const char *type = drmModeGetConnectorTypeName(c->connector_type);
            snprintf(k->output, sizeof k->output, "%.32s-%u %ux%u@%u", type ? type : "connector", c->connector_type_id,
                     k->mode.hdisplay, k->mode.vdisplay, k->mode.vrefresh);
            found = true;
        }
        drmModeFreeConnector(c);
    }
    drmModeFreeResources(res);
    if (!found) snprintf(why, why_size, "no connected connector with a mode");
    return found;
}

/* The dumb buffer at the mode's size, mapped, black, and a framebuffer on it. */
static bool make_buffer(struct kms *k, char *why, size_t why_size) {
    struct drm_mode_create_dumb create = {.width = k->mode.hdisplay, .height = k->mode.vdisplay, .bpp = 32};
    if (drmIoctl(k->fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) != 0) {
        snprintf(why, why_size, "creating a %ux%u dumb buffer: %s", create.width, create.height, strerror(errno));
        return false;
    }
    k->handle = create.handle;
    k->pitch = create.pitch;
    k->map_len = (size_t)create.size;
    if (drmModeAddFB(k->fd, create.width, create.height, 24, 32, create.pitch, create.handle, &k->fb) != 0) {
        snprintf(why, why_size, "drmModeAddFB: %s", strerror(errno));
        return false;
    }
    struct drm_mode_map_dumb map = {.handle = create.handle};
    if (drmIoctl(k->fd, DRM_IOCTL_MODE_MAP_DUMB, &map) != 0) {
        snprintf(why, why_size, "mapping the dumb buffer: %s", strerror(errno));
        return false;
    }
    void *p = mmap(NULL, k->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, k->fd, (off_t)map.offset);
    if (p == MAP_FAILED) {
        snprintf(why, why_size, "mmap of the dumb buffer: %s", strerror(errno));
        return false;
    }
    k->map = p;
    memset(k->map, 0, k->map_len);
    k->shadow = SDL_CreateRGBSurfaceWithFormat(0, create.width, create.height, 32, SDL_PIXELFORMAT_RGB888);
    if (k->shadow == NULL) {
        snprintf(why, why_size, "the shadow surface: %s", SDL_GetError());
        return false;
    }
    return true;
}

/* One card: dumb buffers, an output, the buffer, the mode set. */
static bool open_card(struct kms *k, const char *path, char *why, size_t why_size) {
    k->fd = open(path, O_RDWR | O_CLOEXEC);
    if (k->fd < 0) {
        snprintf(why, why_size, "%s: %s", path, strerror(errno));
        return false;
    }
    uint64_t dumb = 0;
    if (drmGetCap(k->fd, DRM_CAP_DUMB_BUFFER, &dumb) != 0 || !dumb) {
        snprintf(why, why_size, "%s: no dumb buffers", path);
        return false;
    }
    if (!pick_output(k, why, why_size) || !make_buffer(k, why, why_size)) return false;
    k->saved = drmModeGetCrtc(k->fd, k->crtc);
    if (drmModeSetCrtc(k->fd, k->crtc, k->fb, 0, 0, &k->connector, 1, &k->mode) != 0) {
        snprintf(why, why_size, "%s: setting the mode: %s%s", path, strerror(errno),
                 errno == EACCES ? " (another program, an X server, holds the display)" : "");
        return false;
    }
    drmVersion *v = drmGetVersion(k->fd);
    const char *base = strrchr(path, '/');
    snprintf(k->desc, sizeof k->desc, "%.32s %.24s, %s", v && v->name ? v->name : "?", base ? base + 1 : path,
             k->output);
    drmFreeVersion(v);
    k->dirty_fb = true;
    return true;
}

static void close_card(struct kms *k) {
    if (k->shadow) SDL_FreeSurface(k->shadow);
    if (k->map) munmap(k->map, k->map_len);
    if (k->saved) {
        if (k->saved->mode_valid)
            drmModeSetCrtc(k->fd, k->saved->crtc_id, k->saved->buffer_id, k->saved->x, k->saved->y, &k->connector, 1,
                           &k->saved->mode);
        drmModeFreeCrtc(k->saved);
    }
    if (k->fb) drmModeRmFB(k->fd, k->fb);
    if (k->handle) {
        struct drm_mode_destroy_dumb d = {.handle = k->handle};
        drmIoctl(k->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
    }
    if (k->fd >= 0) close(k->fd);
    memset(k, 0, sizeof *k);
    k->fd = -1;
}

struct kms *kms_open(char *why, size_t why_size) {
    struct kms *k = xcalloc(1, sizeof *k);
    k->fd = -1;
    const char *only = getenv("MISATO_KMS_DEVICE");
    glob_t g = {0};
    if (only && *only) {
        bool ok = open_card(k, only, why, why_size);
        if (ok) return k;
        close_card(k);
        free(k);
        return NULL;
    }
    if (glob("/dev/dri/card*", 0, NULL, &g) != 0 || g.gl_pathc == 0) snprintf(why, why_size, "no /dev/dri/card*");
    for (size_t i = 0; i < g.gl_pathc; i++) {
        if (open_card(k, g.gl_pathv[i], why, why_size)) {
            globfree(&g);
            return k;
        }
        close_card(k);
    }
    globfree(&g);
    free(k);
    return NULL;
}

SDL_Surface *kms_surface(const struct kms *k) { return k->shadow; }
int kms_refresh_hz(const struct kms *k) {
    return k->mode.vrefresh >= 24 && k->mode.vrefresh <= 240 ? (int)k->mode.vrefresh : 60;
}
int kms_fd(const struct kms *k) { return k->fd; }
const char *kms_describe(const struct kms *k) { return k->desc; }

int kms_clips(const SDL_Rect *rects, int n, int w, int h, struct drm_clip_rect *out, int max) {
    int m = 0;
    struct drm_clip_rect all = {UINT16_MAX, UINT16_MAX, 0, 0};
    for (int i = 0; i < n; i++) {
        long x1 = rects[i].x < 0 ? 0 : rects[i].x, y1 = rects[i].y < 0 ? 0 : rects[i].y;
        long x2 = (long)rects[i].x + rects[i].w, y2 = (long)rects[i].y + rects[i].h;
        if (x2 > w) x2 = w;
        if (y2 > h) y2 = h;
        if (x1 >= x2 || y1 >= y2) continue;
        struct drm_clip_rect c = {(uint16_t)x1, (uint16_t)y1, (uint16_t)x2, (uint16_t)y2};
        if (c.x1 < all.x1) all.x1 = c.x1;
        if (c.y1 < all.y1) all.y1 = c.y1;
        if (c.x2 > all.x2) all.x2 = c.x2;
        if (c.y2 > all.y2) all.y2 = c.y2;
        if (m < max) out[m] = c;
        m++;
    }
    if (m > max && max > 0) { /* too many: their bounding box */
        out[0] = all;
        m = 1;
    }
    return m;
}

long kms_present(struct kms *k, const SDL_Rect *rects, int n) {
    struct drm_clip_rect clips[KMS_MAX_CLIPS];
    int m = kms_clips(rects, n, k->shadow->w, k->shadow->h, clips, KMS_MAX_CLIPS);
    long px = 0;
    const Uint8 *src = k->shadow->pixels;
    for (int i = 0; i < m; i++) {
        size_t bytes = (size_t)(clips[i].x2 - clips[i].x1) * 4;
        for (unsigned y = clips[i].y1; y < clips[i].y2; y++)
            memcpy(k->map + (size_t)y * k->pitch + (size_t)clips[i].x1 * 4,
                   src + (size_t)y * (size_t)k->shadow->pitch + (size_t)clips[i].x1 * 4, bytes);
        px += (long)(clips[i].x2 - clips[i].x1) * (clips[i].y2 - clips[i].y1);
    }
    if (m > 0 && k->dirty_fb) {
        int rc = drmModeDirtyFB(k->fd, k->fb, clips, (uint32_t)m);
        if (rc == -ENOSYS || rc == -EOPNOTSUPP) {
            k->dirty_fb = false; /* the display reads the buffer by itself (vc4) */
        } else if (rc != 0 && !k->dirty_warned) {
            k->dirty_warned = true;
            LOG(LOG_WARN, "KMS: DIRTYFB: %s (said once)", strerror(-rc));
        }
    }
    return px;
}

/* A render node that is not a GPU: virtio-gpu without virgl's 3D (Mesa
 * would fall back to llvmpipe there). Other drivers, and a node this user
 * cannot open, are taken at their word: the GL renderer's name is checked
 * later anyway (display.c). */
static bool render_node_is_gpu(const char *path) {
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) return true;
    drmVersion *v = drmGetVersion(fd);
    bool gpu = v != NULL;
    if (v && v->name && !strcmp(v->name, "virtio_gpu")) {
        int has3d = 0;
        struct drm_virtgpu_getparam p = {.param = VIRTGPU_PARAM_3D_FEATURES, .value = (uintptr_t)&has3d};
        gpu = drmIoctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &p) == 0 && has3d;
    }
    drmFreeVersion(v);
    close(fd);
    return gpu;
}

bool kms_render_gpu(void) {
    glob_t g;
    bool gpu = false;
    if (glob("/dev/dri/renderD*", 0, NULL, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc && !gpu; i++) gpu = render_node_is_gpu(g.gl_pathv[i]);
    globfree(&g);
    return gpu;
}

void kms_close(struct kms *k) {
    if (k == NULL) return;
    close_card(k);
    free(k);
}
