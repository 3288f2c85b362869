/* display: opening the window and renderer, and waiting for events. */
#include "display.h"

#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <SDL_syswm.h>
#include <X11/Xatom.h>

#include "config.h"
#include "kms.h"
#include "log.h"
#include "service.h"
#include "util.h"

/* Back-off while there is no display: the first retry after 250 ms (a
 * virtio-gpu or a Pi's vc4 makes card0 before KMS is ready to be opened),
 * doubling up to 5 s (an unplugged HDMI cable: cheap, and a monitor plugged
 * in later is used within 5 s). */
enum { WAIT_FIRST_MS = 250, WAIT_MAX_MS = 5000 };
/* What systemd's start timeout is extended by for each step of the start
 * that this module makes (the unit's TimeoutStartSec is 90 s). */
enum { START_STEP_MS = 90000 };

/* Sleeps up to ms, waking for SIGTERM or SIGINT (blocked in every thread by
 * app_run before this is called, so sigtimedwait takes them here; the
 * others stay pending for the signal thread). True when one came. */
static bool sleep_or_stop(int ms) {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    uint64_t end = util_monotonic_ms() + (uint64_t)ms;
    for (;;) {
        uint64_t now = util_monotonic_ms();
        if (now >= end) return false;
        uint64_t left = end - now;
        struct timespec ts = {(time_t)(left / 1000), (long)(left % 1000) * 1000000L};
        int sig = sigtimedwait(&stop, NULL, &ts);
        if (sig == SIGTERM || sig == SIGINT) {
            LOG(LOG_INFO, "stopping (%s) while waiting for a display", sig == SIGTERM ? "SIGTERM" : "SIGINT");
            return true;
        }
        if (sig < 0 && errno != EINTR && errno != EAGAIN) return false;
    }
}

/* Does drawing into a render target really reach its pixels? A fill (the
 * geometry path) and a copy of a small texture (the path every text and
 * picture takes), read back. A renderer can be created and still draw
 * nothing: Debian's SDL on a minimal system with the desktop-GL renderer
 * took its functions from libGLESv2, and the screen stayed blank. */
static bool renderer_draws(SDL_Renderer *r, char *why, size_t why_len) {
    bool ok = false;
    SDL_Texture *target = NULL, *tex = NULL;
    Uint32 px[4] = {0xff00ff00u, 0xff00ff00u, 0xff00ff00u, 0xff00ff00u};
    if (!SDL_RenderTargetSupported(r)) {
        snprintf(why, why_len, "no render targets");
        return false;
    }
    target = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, 8, 8);
    tex = SDL_CreateTexture(r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_STATIC, 2, 2);
    if (target == NULL || tex == NULL || SDL_UpdateTexture(tex, NULL, px, 2 * 4) != 0 ||
        SDL_SetRenderTarget(r, target) != 0) {
        snprintf(why, why_len, "render target: %s", SDL_GetError());
        goto out;
    }
    SDL_Rect fill = {0, 0, 4, 8}, copy = {4, 0, 4, 8};
    SDL_SetRenderDrawColor(r, 0, 0, 0, 255);
    SDL_RenderClear(r);
    SDL_SetRenderDrawColor(r, 0x20, 0x60, 0xc0, 255);
    SDL_RenderFillRect(r, &fill);
    SDL_RenderCopy(r, tex, NULL, &copy);
    Uint32 got[64] = {0};
    if (SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, got, 8 * 4) != 0) {
        snprintf(why, why_len, "reading a render target back: %s", SDL_GetError());
        goto out;
    }
    Uint32 a = got[3 * 8 + 1] & 0xffffffu, b = got[3 * 8 + 6] & 0xffffffu;
    ok = a == 0x2060c0u && b == 0x00ff00u;
    if (!ok)
        snprintf(why, why_len, "a render target does not show what was drawn (fill %06x, copy %06x; %s)",
                 (unsigned)a, (unsigned)b, SDL_GetError());
out:
    SDL_SetRenderTarget(r, NULL);
    if (tex) SDL_DestroyTexture(tex);
    if (target) SDL_DestroyTexture(target);
    return ok;
}

/* A GL renderer that is the CPU in disguise: every frame recomposed and
 * re-uploaded by llvmpipe costs more than SDL's software renderer updating
 * only what changed. */
static bool software_gl(const char *name) {
    return name && (strstr(name, "llvmpipe") || strstr(name, "softpipe") || strstr(name, "swrast") ||
                    strstr(name, "Software Rasterizer"));
}

/* Before any GL is loaded: does the machine say there is no GPU to use?
 * Returns why (for the log), or NULL when the accelerated renderer should
 * be tried (and then asked its GL renderer's name, see display_open). */
static const char *no_gpu_reason(const struct display *d) {
    if (d->choice == CONFIG_RENDERER_SOFTWARE) return "renderer = software";
    if (d->choice == CONFIG_RENDERER_GPU) return NULL;
    const char *sw = getenv("LIBGL_ALWAYS_SOFTWARE");
    if (sw && *sw && strcmp(sw, "0") != 0) return "LIBGL_ALWAYS_SOFTWARE is set";
    const char *gallium = getenv("GALLIUM_DRIVER");
    if (software_gl(gallium)) return "GALLIUM_DRIVER asks for a software GL";
    glob_t g;
    bool node = glob("/dev/dri/renderD*", 0, NULL, &g) == 0 && g.gl_pathc > 0;
    globfree(&g);
    if (!node) return "no GPU render node (/dev/dri/renderD*): GL would be Mesa's llvmpipe";
    if (!kms_render_gpu()) return "the render node is virtio-gpu without 3D (virgl): GL would be Mesa's llvmpipe";
    return NULL;
}

/* The GL renderer's name, or NULL when the renderer is not GL. */
static const char *gl_renderer_name(SDL_Renderer *r) {
    SDL_RendererInfo info;
    if (SDL_GetRendererInfo(r, &info) != 0 || strncmp(info.name, "opengl", 6) != 0) return NULL;
    typedef const unsigned char *(*get_string)(unsigned);
    get_string gs = (get_string)SDL_GL_GetProcAddress("glGetString");
    return gs ? (const char *)gs(0x1F01 /* GL_RENDERER */) : NULL;
}

/* An accelerated renderer that draws into a render target (checked), or
 * NULL. GLES2 on KMSDRM (Mesa's GBM/EGL; SDL's default there is desktop GL,
 * which needs libGL and GLX-era functions a Pi's driver does not have), SDL's
 * choice elsewhere; SDL_RENDER_DRIVER in the environment still wins. */
static SDL_Renderer *accelerated_renderer(SDL_Window *w, const char *driver) {
    if (driver && !SDL_strcasecmp(driver, "KMSDRM")) SDL_SetHint(SDL_HINT_RENDER_DRIVER, "opengles2");
    SDL_Renderer *r = SDL_CreateRenderer(w, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (r == NULL) {
        LOG(LOG_INFO, "no accelerated renderer (%s); using the software one", SDL_GetError());
        return NULL;
    }
    char why[256];
    if (renderer_draws(r, why, sizeof why)) return r;
    SDL_RendererInfo info;
    SDL_GetRendererInfo(r, &info);
    LOG(LOG_WARN, "renderer %s does not draw (%s); using the software one", info.name, why);
    SDL_DestroyRenderer(r);
    return NULL;
}

/* Does an EWMH window manager run on the window's X server (the root
 * window names one in _NET_SUPPORTING_WM_CHECK)? True off X11: there the
 * video driver decides. */
static bool x11_window_manager(SDL_Window *w) {
    SDL_SysWMinfo info;
    SDL_VERSION(&info.version);
    if (!SDL_GetWindowWMInfo(w, &info) || info.subsystem != SDL_SYSWM_X11) return true;
    Display *dpy = info.info.x11.display;
    Atom check = XInternAtom(dpy, "_NET_SUPPORTING_WM_CHECK", True);
    if (check == None) return false; /* no client ever named the atom */
    Atom type = None;
    int format = 0;
    unsigned long n = 0, after = 0;
    unsigned char *data = NULL;
    int rc = XGetWindowProperty(dpy, DefaultRootWindow(dpy), check, 0, 1, False, XA_WINDOW, &type, &format, &n,
                                &after, &data);
    if (data) XFree(data);
    return rc == Success && type == XA_WINDOW && n == 1;
}

/* GL on the CPU in an X11 window (renderer = gpu with no GPU): every
 * frame llvmpipe drew the whole screen and the swap sent all of it, 20 ms
 * of CPU for a ticker that moved 1920x76 pixels. GLX_MESA_copy_sub_buffer
 * sends one rectangle of the back buffer and leaves it; with the drawing
 * clipped to that rectangle the rest costs nothing. SDL's "opengl" renderer
 * on X11 is GLX (EGL would be "opengles2"). */
static void gl_partial(struct display *d) {
    SDL_RendererInfo info;
    SDL_SysWMinfo wm;
    SDL_VERSION(&wm.version);
    d->gl_copy_sub = NULL;
    if (d->window == NULL || SDL_GetRendererInfo(d->renderer, &info) != 0 || strcmp(info.name, "opengl") != 0 ||
        !SDL_GetWindowWMInfo(d->window, &wm) || wm.subsystem != SDL_SYSWM_X11)
        return;
    typedef const char *(*query_extensions)(Display *, int);
    query_extensions q = (query_extensions)SDL_GL_GetProcAddress("glXQueryExtensionsString");
    Display *dpy = wm.info.x11.display;
    const char *ext = q ? q(dpy, DefaultScreen(dpy)) : NULL;
    if (ext == NULL || strstr(ext, "GLX_MESA_copy_sub_buffer") == NULL) {
        LOG(LOG_INFO, "GL on the CPU without GLX_MESA_copy_sub_buffer: every frame is drawn whole");
        return;
    }
    d->gl_copy_sub = SDL_GL_GetProcAddress("glXCopySubBufferMESA");
    d->x_display = dpy;
    d->x_window = wm.info.x11.window;
    if (d->gl_copy_sub)
        LOG(LOG_INFO, "GL on the CPU: a frame where only the ticker moves draws and sends only its strip "
                      "(GLX_MESA_copy_sub_buffer)");
}

void display_gl_copy(void *ctx, const SDL_Rect *rects, int n) {
    struct display *d = ctx;
    typedef void (*copy_sub)(Display *, Window, int, int, int, int);
    copy_sub copy = (copy_sub)d->gl_copy_sub;
    int w = 0, h = 0;
    if (copy == NULL || SDL_GetRendererOutputSize(d->renderer, &w, &h) != 0) return;
    for (int i = 0; i < n; i++) /* GL's rows count from the bottom; an implicit glFlush */
        copy((Display *)d->x_display, (Window)d->x_window, rects[i].x, h - rects[i].y - rects[i].h, rects[i].w,
             rects[i].h);
}

/* The window, shown. Full screen on X11 is asked of the window manager
 * only when there is one: SDL then waits up to 100 ms for it to answer,
 * and with none (a kiosk's bare X server, Xvfb) nobody answers; the
 * borderless window at the display's origin and size covers the screen by
 * itself. */
static SDL_Window *make_window(const char *driver, int x, int y, int w, int h, Uint32 flags) {
    bool x11_full = driver && !strcmp(driver, "x11") && (flags & SDL_WINDOW_FULLSCREEN_DESKTOP);
    if (x11_full) flags = (flags & ~(Uint32)(SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_SHOWN)) | SDL_WINDOW_HIDDEN;
    SDL_Window *win = SDL_CreateWindow("美郷町 デジタルサイネージ (Misato Signage)", x, y, w, h, flags);
    if (win == NULL || !x11_full) return win;
    if (x11_window_manager(win)) SDL_SetWindowFullscreen(win, SDL_WINDOW_FULLSCREEN_DESKTOP);
    SDL_ShowWindow(win);
    return win;
}

static bool is_kmsdrm(const char *driver) { return driver && !SDL_strcasecmp(driver, "KMSDRM"); }

/* The console with no GPU: SDL's KMSDRM driver is let go (SDL 2.26 has no
 * framebuffer of its own there: its software surface went through a GLES
 * texture that llvmpipe composed whole on every frame, 1.1 frames a second
 * with the ticker in the device VM) and the frames go to a KMS dumb buffer
 * (kms.c), only what changed copied. False, with SDL video as it was,
 * when that cannot be had. */
static bool try_kms(struct display *d, const char *why_sw) {
    if (d->window) SDL_DestroyWindow(d->window);
    d->window = NULL;
    SDL_QuitSubSystem(SDL_INIT_VIDEO);  /* closes SDL's DRM device: one master */
    SDL_InitSubSystem(SDL_INIT_EVENTS); /* which took the events with it */
    char why[256] = "";
    d->kms = kms_open(why, sizeof why);
    if (d->kms) {
        d->renderer = SDL_CreateSoftwareRenderer(kms_surface(d->kms));
        if (d->renderer) {
            LOG(LOG_INFO, "presentation: SDL's software renderer on a KMS dumb buffer, only what changed copied "
                          "(%s; %s)", why_sw, kms_describe(d->kms));
            return true;
        }
        snprintf(why, sizeof why, "software renderer: %s", SDL_GetError());
        kms_close(d->kms);
        d->kms = NULL;
    }
    LOG(LOG_WARN, "KMS dumb buffer: %s; SDL's KMSDRM driver instead", why);
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) LOG(LOG_ERROR, "SDL video again: %s", SDL_GetError());
    return false;
}

/* The one place the renderer is chosen (renderer = auto | gpu | software):
 * a real GPU gets the accelerated renderer; no GPU, or a GL renderer that is
 * the CPU in disguise (llvmpipe), gets SDL's software renderer on the window
 * surface, without GL, where frames can update only what changed. Whatever
 * is chosen must draw into a render target, else the software renderer. The
 * window may be made again (without GL). */
static SDL_Renderer *pick_renderer(struct display *d, const char *driver, const char *why, int x, int y, int w,
                                   int h, Uint32 flags) {
    SDL_Renderer *r = why ? NULL : accelerated_renderer(d->window, driver);
    const char *gl = r ? gl_renderer_name(r) : NULL;
    if (r && d->choice == CONFIG_RENDERER_AUTO && software_gl(gl)) {
        /* Mesa stays mapped (it was loaded to ask), but no frame goes
         * through it: the window is made again without GL. */
        LOG(LOG_INFO, "the GL renderer is %s, the CPU: using SDL's software renderer instead", gl);
        SDL_DestroyRenderer(r);
        r = NULL;
        if (is_kmsdrm(driver) && try_kms(d, "the GL renderer is a software one")) return d->renderer;
        if (d->window) SDL_DestroyWindow(d->window);
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        d->window = make_window(driver, x, y, w, h, flags);
        if (d->window == NULL) return NULL;
        why = "the GL renderer is a software one";
    } else if (gl) {
        LOG(LOG_INFO, "GL renderer: %s", gl);
        if (software_gl(gl))
            LOG(LOG_WARN, "renderer = gpu ですが、GL は CPU で描いています (%s)。renderer = auto の方が軽く動きます / "
                          "renderer = gpu, but this GL is the CPU: crossfades cost several times more than on "
                          "the software path that renderer = auto takes",
                gl);
    }
    if (r) return r;
    r = SDL_CreateRenderer(d->window, -1, SDL_RENDERER_SOFTWARE);
    if (r == NULL) return NULL;
    if (why) LOG(LOG_INFO, "presentation: SDL's software renderer on the window surface (%s)", why);
    char check[256];
    if (!renderer_draws(r, check, sizeof check)) LOG(LOG_WARN, "software renderer: %s", check);
    return r;
}

/* The window surface's memory (on X11 the MIT-SHM segment) made present
 * in one call, not a page fault at a time while the first frame is drawn
 * (2025 faults at 1080p, ~15 us each in a VM; MADV_POPULATE_WRITE, Linux
 * 5.14, takes about half that). Advice only: older kernels say EINVAL. */
static void populate_surface(SDL_Window *w) {
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
    SDL_Surface *s = SDL_GetWindowSurface(w);
    long page = sysconf(_SC_PAGESIZE);
    if (s == NULL || s->pixels == NULL || page <= 0) return;
    uintptr_t a = (uintptr_t)s->pixels, end = a + (size_t)s->pitch * (size_t)s->h;
    a = (a + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    if (end > a) madvise((void *)a, (end - a) & ~((uintptr_t)page - 1), MADV_POPULATE_WRITE);
}

static enum display_status opened(struct display *d, const char *driver);

/* One attempt: SDL video, the window and a renderer that draws. */
static enum display_status open_once(struct display *d, bool windowed, int width, int height, bool quiet) {
    enum log_level lv = quiet ? LOG_DEBUG : LOG_ERROR;
    /* Opening KMS, EGL and the GLES2 renderer took 41 s on a loaded VM with
     * no GPU (Mesa's llvmpipe), and systemd's start timeout (90 s, counted
     * from the start) killed a player that was about to show its first
     * frame. This step, and the first frame after it, get a window of
     * their own; a hang in either still ends in the timeout. */
    service_extend_start(START_STEP_MS);
    if (SDL_InitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        LOG(lv, "no display: %s", SDL_GetError());
        return DISPLAY_NONE;
    }
    if (d->wake == NULL) d->wake = SDL_CreateSemaphore(0);
    if (d->wake == NULL) {
        LOG(LOG_ERROR, "SDL: %s", SDL_GetError());
        return DISPLAY_ERROR;
    }
    const char *driver = SDL_GetCurrentVideoDriver();
    d->native_wait = driver && (!strcmp(driver, "x11") || !strcmp(driver, "wayland"));
    Uint32 flags = SDL_WINDOW_SHOWN | SDL_WINDOW_ALLOW_HIGHDPI;
    int w = width ? width : 1280, h = height ? height : 720;
    int x = SDL_WINDOWPOS_CENTERED, y = SDL_WINDOWPOS_CENTERED;
    SDL_DisplayMode mode;
    if (!windowed) {
        /* Full screen at the display's own size, placed at its origin and
         * borderless, so that it covers the screen even on an X server with
         * no window manager to honour the fullscreen request (a kiosk). */
        flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS;
        if (SDL_GetDesktopDisplayMode(0, &mode) == 0) {
            w = mode.w;
            h = mode.h;
            x = y = 0;
        }
    } else {
        flags |= SDL_WINDOW_RESIZABLE;
    }
    const char *why = no_gpu_reason(d);
    if (is_kmsdrm(driver) && why && try_kms(d, why)) return opened(d, driver);
    /* The software path presents the window surface itself (MIT-SHM on X11),
     * not through an OpenGL texture, so that Mesa is never loaded. */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, why ? "0" : NULL);
    d->window = make_window(driver, x, y, w, h, flags);
    if (d->window == NULL) {
        LOG(lv, "no window on video driver %s: %s", driver ? driver : "?", SDL_GetError());
        return DISPLAY_NONE;
    }
    d->renderer = pick_renderer(d, driver, why, x, y, w, h, flags);
    if (d->renderer == NULL) {
        LOG(lv, "no renderer: %s", SDL_GetError());
        return DISPLAY_NONE;
    }
    return opened(d, driver);
}

/* What the loop needs to know of the renderer and display just opened. */
static enum display_status opened(struct display *d, const char *driver) {
    SDL_DisplayMode mode;
    SDL_RendererInfo info;
    SDL_GetRendererInfo(d->renderer, &info);
    d->vsync = (info.flags & SDL_RENDERER_PRESENTVSYNC) != 0;
    bool accelerated = (info.flags & SDL_RENDERER_ACCELERATED) != 0;
    d->software = d->kms || (!accelerated && SDL_GetWindowSurface(d->window) != NULL);
    /* GL forced onto llvmpipe is the CPU too: every frame a full-screen quad
     * (20-26 ms of it at 1080p here; a ticker at 60 frames a second took 1.7
     * cores, at 30 0.8). */
    d->cpu_draws = !accelerated || software_gl(gl_renderer_name(d->renderer));
    if (d->software) d->vsync = false; /* SDL 2.26 says vsync, but nothing waits: the loop paces */
    if (d->cpu_draws && !d->software) gl_partial(d);
    const char *gl = gl_renderer_name(d->renderer);
    snprintf(d->path, sizeof d->path, "%s", d->kms ? "kms" : d->software ? "software" : "gpu");
    snprintf(d->renderer_name, sizeof d->renderer_name, "%s%s%s", info.name, gl ? ": " : "", gl ? gl : "");
    if (d->software && d->window) populate_surface(d->window);
    if (d->kms) d->native_wait = false;
    d->refresh_hz = d->kms ? kms_refresh_hz(d->kms)
                    : SDL_GetWindowDisplayMode(d->window, &mode) == 0 && mode.refresh_rate >= 24 &&
                            mode.refresh_rate <= 240
                        ? mode.refresh_rate
                        : 60;
    int ow = 0, oh = 0;
    SDL_GetRendererOutputSize(d->renderer, &ow, &oh);
    LOG(LOG_INFO, "video driver %s%s, renderer %s%s, %dx%d", driver, d->kms ? " (our own dumb buffer)" : "",
        info.name, d->vsync ? " (vsync)" : "", ow, oh);
    SDL_ShowCursor(SDL_DISABLE);
    SDL_DisableScreenSaver();
    service_extend_start(START_STEP_MS); /* for the first frame */
    return DISPLAY_OK;
}

enum display_status display_open(struct display *d, bool windowed, int width, int height) {
    /* SDL's X11 driver opens an input method, and Xlib's parses the
     * locale's whole Compose table for it (9 ms of the time to the first
     * frame); nothing is typed into the player. Before any thread exists
     * (setenv is not thread-safe). */
    setenv("XCOMPOSEFILE", "/dev/null", 0);
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    d->stopped = false;
    /* A person at a terminal is told at once (exit 3; scripts/run then
     * renders to PNG). Under systemd the display may come later (HDMI
     * unplugged, KMS not ready yet at boot): wait for it rather than exit
     * and be restarted every RestartSec forever. */
    bool wait = service_managed();
    uint64_t start = util_monotonic_ms();
    int delay = WAIT_FIRST_MS, tries = 1;
    for (;;) {
        enum display_status rc = open_once(d, windowed, width, height, tries > 1);
        if (rc != DISPLAY_NONE || !wait) {
            if (rc == DISPLAY_OK && tries > 1)
                LOG(LOG_INFO, "画面が見つかりました / display found after %.1f s (%d tries)",
                    (double)(util_monotonic_ms() - start) / 1000.0, tries);
            return rc;
        }
        if (tries == 1) {
            LOG(LOG_WARN, "画面がありません。つながるまで待ちます / no display yet: waiting for one "
                          "(retrying every %d s at most, quietly)", WAIT_MAX_MS / 1000);
            service_status("waiting for a display (画面を待っています)");
        }
        display_close(d);
        SDL_QuitSubSystem(SDL_INIT_VIDEO | SDL_INIT_EVENTS);
        /* Alive while waiting: the watchdog is fed and the start timeout
         * pushed on (no READY=1: nothing is on screen yet). */
        service_alive();
        service_extend_start(delay + 30000);
        int step = service_watchdog_ms();
        int nap = step > 0 && step < delay ? step : delay;
        for (int slept = 0; slept < delay; slept += nap) {
            if (sleep_or_stop(nap < delay - slept ? nap : delay - slept)) {
                d->stopped = true;
                return DISPLAY_OK;
            }
            service_alive();
        }
        delay = delay * 2 > WAIT_MAX_MS ? WAIT_MAX_MS : delay * 2;
        tries++;
    }
}

void display_close(struct display *d) {
    if (d->renderer) SDL_DestroyRenderer(d->renderer);
    if (d->window) SDL_DestroyWindow(d->window);
    kms_close(d->kms);
    if (d->wake) SDL_DestroySemaphore(d->wake);
    d->renderer = NULL;
    d->window = NULL;
    d->kms = NULL;
    d->wake = NULL;
}

SDL_Surface *display_screen(const struct display *d) { return d->kms ? kms_surface(d->kms) : NULL; }

void display_send(void *ctx, const SDL_Rect *rects, int n) {
    struct display *d = ctx;
    if (d->kms) kms_present(d->kms, rects, n);
}

int display_drm_fd(const struct display *d) { return d->kms ? kms_fd(d->kms) : -1; }

void display_post(struct display *d, Uint32 type, Sint32 code) {
    SDL_Event ev;
    SDL_zero(ev);
    ev.type = type;
    ev.user.code = code;
    if (SDL_PushEvent(&ev) < 0) LOG(LOG_WARN, "event lost: %s", SDL_GetError());
    SDL_SemPost(d->wake);
}

/* X11 and Wayland sleep in the driver; the others (KMSDRM, offscreen) would
 * make SDL poll every millisecond, so we sleep on a semaphore that every
 * cross-thread event posts, pumping at least every 250 ms for window and
 * input events. */
bool display_wait_event(struct display *d, SDL_Event *ev, int timeout_ms) {
    if (d->native_wait) return SDL_WaitEventTimeout(ev, timeout_ms) == 1;
    Uint64 end = SDL_GetTicks64() + (Uint64)timeout_ms;
    for (;;) {
        SDL_PumpEvents();
        if (SDL_PeepEvents(ev, 1, SDL_GETEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT) > 0) return true;
        Uint64 now = SDL_GetTicks64();
        if (now >= end) return false;
        Uint64 left = end - now;
        SDL_SemWaitTimeout(d->wake, (Uint32)(left < 250 ? left : 250));
    }
}
