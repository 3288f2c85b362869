/* display: opening the window and renderer, and waiting for events. */
#include "display.h"

#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "config.h"
#include "log.h"

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
    if (d->choice == RENDERER_SOFTWARE) return "renderer = software";
    if (d->choice == RENDERER_GPU) return NULL;
    const char *sw = getenv("LIBGL_ALWAYS_SOFTWARE");
    if (sw && *sw && strcmp(sw, "0") != 0) return "LIBGL_ALWAYS_SOFTWARE is set";
    const char *gallium = getenv("GALLIUM_DRIVER");
    if (software_gl(gallium)) return "GALLIUM_DRIVER asks for a software GL";
    glob_t g;
    bool node = glob("/dev/dri/renderD*", 0, NULL, &g) == 0 && g.gl_pathc > 0;
    globfree(&g);
    if (!node) return "no GPU render node (/dev/dri/renderD*): GL would be Mesa's llvmpipe";
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

int display_open(struct display *d, bool windowed, int width, int height) {
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        LOG(LOG_ERROR, "no display: %s", SDL_GetError());
        return APP_EXIT_NO_DISPLAY;
    }
    d->wake = SDL_CreateSemaphore(0);
    if (d->wake == NULL) {
        LOG(LOG_ERROR, "SDL: %s", SDL_GetError());
        return APP_EXIT_ERROR;
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
    /* The software path presents the window surface itself (MIT-SHM on X11),
     * not through an OpenGL texture, so that Mesa is never loaded. */
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, why ? "0" : NULL);
    d->window = SDL_CreateWindow("美郷町 デジタルサイネージ (Misato Signage)", x, y, w, h, flags);
    if (d->window == NULL) {
        LOG(LOG_ERROR, "no window on video driver %s: %s", driver ? driver : "?", SDL_GetError());
        return APP_EXIT_NO_DISPLAY;
    }
    if (why == NULL) {
        d->renderer = SDL_CreateRenderer(d->window, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
        const char *gl = d->renderer ? gl_renderer_name(d->renderer) : NULL;
        if (d->choice == RENDERER_AUTO && software_gl(gl)) {
            /* Mesa stays mapped (it was loaded to ask), but no frame goes
             * through it: the window is made again without GL. */
            LOG(LOG_INFO, "the GL renderer is %s, the CPU: using SDL's software renderer instead", gl);
            SDL_DestroyRenderer(d->renderer);
            d->renderer = NULL;
            SDL_DestroyWindow(d->window);
            SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
            d->window = SDL_CreateWindow("美郷町 デジタルサイネージ (Misato Signage)", x, y, w, h, flags);
            if (d->window == NULL) {
                LOG(LOG_ERROR, "no window on video driver %s: %s", driver ? driver : "?", SDL_GetError());
                return APP_EXIT_NO_DISPLAY;
            }
            why = "the GL renderer is a software one";
        } else if (gl) {
            LOG(LOG_INFO, "GL renderer: %s", gl);
        }
    }
    if (why) {
        d->renderer = SDL_CreateRenderer(d->window, -1, SDL_RENDERER_SOFTWARE);
        if (d->renderer) LOG(LOG_INFO, "presentation: SDL's software renderer on the window surface (%s)", why);
    } else if (d->renderer == NULL) {
        LOG(LOG_INFO, "no accelerated renderer (%s); using the software one", SDL_GetError());
        d->renderer = SDL_CreateRenderer(d->window, -1, SDL_RENDERER_SOFTWARE);
    }
    if (d->renderer == NULL) {
        LOG(LOG_ERROR, "no renderer: %s", SDL_GetError());
        return APP_EXIT_NO_DISPLAY;
    }
    SDL_RendererInfo info;
    SDL_GetRendererInfo(d->renderer, &info);
    d->vsync = (info.flags & SDL_RENDERER_PRESENTVSYNC) != 0;
    d->accelerated = (info.flags & SDL_RENDERER_ACCELERATED) != 0;
    d->software = !d->accelerated && SDL_GetWindowSurface(d->window) != NULL;
    if (d->software) d->vsync = false; /* SDL 2.26 says vsync, but nothing waits: the loop paces */
    d->refresh_hz = SDL_GetWindowDisplayMode(d->window, &mode) == 0 && mode.refresh_rate >= 24 &&
                            mode.refresh_rate <= 240
                        ? mode.refresh_rate
                        : 60;
    int ow = 0, oh = 0;
    SDL_GetRendererOutputSize(d->renderer, &ow, &oh);
    LOG(LOG_INFO, "video driver %s, renderer %s%s, %dx%d", driver, info.name, d->vsync ? " (vsync)" : "",
        ow, oh);
    SDL_ShowCursor(SDL_DISABLE);
    SDL_DisableScreenSaver();
    return APP_EXIT_OK;
}

void display_close(struct display *d) {
    if (d->renderer) SDL_DestroyRenderer(d->renderer);
    if (d->window) SDL_DestroyWindow(d->window);
    if (d->wake) SDL_DestroySemaphore(d->wake);
    d->renderer = NULL;
    d->window = NULL;
    d->wake = NULL;
}

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
