/* display: the window and renderer the slides are drawn with, and the
 * main thread's wait for the next event. SDL video only; main thread only. */
#ifndef MISATO_DISPLAY_H
#define MISATO_DISPLAY_H

#include <stdbool.h>

#include <SDL.h>

struct display {
    SDL_Window *window;
    SDL_Renderer *renderer;
    bool native_wait; /* the video driver can sleep in SDL_WaitEventTimeout */
    bool vsync;       /* SDL_RenderPresent waits for the display */
    bool accelerated; /* not SDL's software renderer */
    SDL_sem *wake;    /* posted with every event pushed from another thread */
    int choice;       /* in: enum config_renderer (renderer = auto | gpu | software) */
    bool software;    /* out: SDL's software renderer on the window surface, no GL:
                         frames may update only the rectangles that changed */
    int refresh_hz;   /* the display's refresh rate (60 when it does not say) */
};

/* Initialises SDL video and opens the window with the presentation path
 * d->choice asks for (auto: a real GPU gets the accelerated renderer, a
 * software GL renderer or none gets SDL's software renderer on the window
 * surface; the log says which and why): full screen at the display's
 * own size, or a resizable width x height window (0: 1280x720) when
 * windowed. Returns an app_exit code (APP_EXIT_NO_DISPLAY when there is no
 * usable display). On failure whatever was opened stays in d for
 * display_close. */
int display_open(struct display *d, bool windowed, int width, int height);

/* Frees what display_open made (not SDL_Quit). */
void display_close(struct display *d);

/* Hands an event to the main loop from any thread and wakes it. */
void display_post(struct display *d, Uint32 type, Sint32 code);

/* Waits up to timeout_ms for an event; true when one was taken. */
bool display_wait_event(struct display *d, SDL_Event *ev, int timeout_ms);

#endif
