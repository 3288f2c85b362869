/* display: the window and renderer the slides are drawn with, and the
 * main thread's wait for the next event. SDL video only; main thread only. */
#ifndef MISATO_DISPLAY_H
#define MISATO_DISPLAY_H

#include <stdbool.h>

#include <SDL.h>

enum display_status {
    DISPLAY_OK = 0,
    DISPLAY_NONE,  /* no video device to show the slides on (exit 3) */
    DISPLAY_ERROR, /* SDL could not set up what it needs */
};

struct kms;

struct display {
    SDL_Window *window;      /* NULL on a KMS dumb buffer of our own (kms) */
    struct kms *kms;         /* the console with no GPU: frames on a dumb buffer (kms.h) */
    SDL_Renderer *renderer;
    bool native_wait; /* the video driver can sleep in SDL_WaitEventTimeout */
    bool vsync;       /* SDL_RenderPresent waits for the display */
    bool cpu_draws;   /* the CPU draws every frame: SDL's software renderer, or GL on llvmpipe
                         (renderer = gpu where there is no GPU); the ticker moves at half the refresh */
    SDL_sem *wake;    /* posted with every event pushed from another thread */
    bool stopped;     /* SIGTERM or SIGINT came while waiting for a display */
    int choice;       /* in: enum config_renderer (renderer = auto | gpu | software) */
    bool software;    /* out: SDL's software renderer on the window surface, no GL:
                         frames may update only the rectangles that changed */
    int refresh_hz;   /* the display's refresh rate (60 when it does not say) */
    char path[16];    /* out: "software" (SDL's software renderer on the window surface), "kms" (on a KMS
                         dumb buffer of our own), "gpu" (the accelerated renderer) */
    char renderer_name[96]; /* out: SDL's renderer, and the GL renderer where there is one */
    /* GL on the CPU under X11 (GLX_MESA_copy_sub_buffer): a frame may draw
     * and send one rectangle of the window (display_gl_copy); else NULL. */
    void *gl_copy_sub;
    void *x_display;
    unsigned long x_window;
};

/* Initialises SDL video and opens the window: full screen at the display's
 * own size, or a resizable width x height window (0: 1280x720) when
 * windowed, with a renderer that was seen to draw into a render target
 * (GLES2 on KMSDRM, else SDL's choice, else the software renderer).
 * Returns DISPLAY_OK, or DISPLAY_NONE when there is no usable (or DISPLAY_ERROR
 * display). Under systemd (service_managed()) a missing display is waited
 * for instead, with a bounded back-off, logged once, the watchdog fed; a
 * SIGTERM or SIGINT then ends the wait: DISPLAY_OK with d->stopped set.
 * Call it with SIGTERM and SIGINT blocked. On failure whatever was opened
 * stays in d for display_close. */
enum display_status display_open(struct display *d, bool windowed, int width, int height);

/* With no window (a KMS dumb buffer): the surface the renderer draws on,
 * and what presents rectangles of it (for transition_send_to; ctx is the
 * display). The DRM device's fd for DPMS, or -1. */
SDL_Surface *display_screen(const struct display *d);
void display_send(void *ctx, const SDL_Rect *rects, int n);
int display_drm_fd(const struct display *d);

/* Where d->gl_copy_sub is set: sends rectangles of the GL back buffer
 * (what the renderer drew since the last present) to the window, and
 * leaves the back buffer as it is (for transition_gl_partial; ctx is the
 * display). */
void display_gl_copy(void *ctx, const SDL_Rect *rects, int n);

/* Frees what display_open made (not SDL_Quit). */
void display_close(struct display *d);

/* Hands an event to the main loop from any thread and wakes it. */
void display_post(struct display *d, Uint32 type, Sint32 code);

/* Waits up to timeout_ms for an event; true when one was taken. */
bool display_wait_event(struct display *d, SDL_Event *ev, int timeout_ms);

#endif
