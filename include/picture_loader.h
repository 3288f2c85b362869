/* picture_loader: pictures decoded on a worker thread and kept as a few
 * textures by path. The main thread asks for a path and gets a texture once
 * it is decoded; a notify callback (any thread) says that one arrived. */
#ifndef MISATO_PICTURE_LOADER_H
#define MISATO_PICTURE_LOADER_H

#include <stdbool.h>

#include <SDL.h>

#define LOADER_QUEUE 4    /* decode requests waiting, and results not yet taken */
#define LOADER_TEXTURES 4 /* decoded pictures kept, least recently used evicted */

struct picture_loader;

/* Starts the worker; pictures are scaled to fit max_w x max_h. NULL when
 * the thread cannot be started (then there are no pictures). */
struct picture_loader *loader_start(SDL_Renderer *r, int max_w, int max_h, void (*notify)(void *ctx),
                                    void *ctx);

/* Main thread. The texture of path when it is decoded; otherwise NULL, and
 * the picture is asked for (its arrival calls notify; ask again then).
 * *failed (may be NULL) is set when the picture could not be decoded. */
SDL_Texture *loader_get(struct picture_loader *l, const char *path, bool *failed);

/* Main thread, after notify: turns what was decoded into textures. */
void loader_arrived(struct picture_loader *l);

/* Main thread: drops every texture (the renderer lost them). */
void loader_flush(struct picture_loader *l);

/* Requests put off because the queue was full (asked again later). */
unsigned long loader_overflows(const struct picture_loader *l);

/* Stops the worker and frees everything. NULL is fine. */
void loader_stop(struct picture_loader *l);

#endif
