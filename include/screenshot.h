/* screenshot: SIGUSR1's picture of the screen: what the renderer holds
 * is read back on the main thread and written as dir/screenshot.png
 * (atomically) by a short-lived thread. */
#ifndef MISATO_SCREENSHOT_H
#define MISATO_SCREENSHOT_H

#include <pthread.h>
#include <stdbool.h>

#include <SDL.h>

struct screenshot {
    pthread_t thread; /* the writer of the last one */
    bool started;
};

/* Main thread, before SDL_RenderPresent: reads the frame back and starts
 * writing it (waits for the previous writer first). */
void screenshot_take(struct screenshot *s, SDL_Renderer *r, const char *dir);

/* Waits for the writer. */
void screenshot_finish(struct screenshot *s);

#endif
