/* display: opening the window and renderer, and waiting for events. */
#include "display.h"

#include <string.h>

#include "app.h"
#include "log.h"

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
    d->window = SDL_CreateWindow("美郷町 デジタルサイネージ (Misato Signage)", x, y, w, h, flags);
    if (d->window == NULL) {
        LOG(LOG_ERROR, "no window on video driver %s: %s", driver ? driver : "?", SDL_GetError());
        return APP_EXIT_NO_DISPLAY;
    }
    d->renderer = SDL_CreateRenderer(d->window, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (d->renderer == NULL) {
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
