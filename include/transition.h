/* transition: the slide on screen and the next one pre-rendered into two
 * render-target textures, and the frames between them (crossfade, push).
 * Main thread only. */
#ifndef MISATO_TRANSITION_H
#define MISATO_TRANSITION_H

#include <stdbool.h>

#include <SDL.h>

#include "render.h"

struct transition {
    SDL_Texture *cur, *next; /* the slide on screen, and the one coming */
    int w, h;
    bool unsupported;        /* no render targets: slides change without transitions */
};

/* Makes sure both textures exist at the renderer's output size; false when
 * render targets cannot be had (then slides are drawn straight to the
 * screen). */
bool transition_targets(struct transition *t, SDL_Renderer *r);

/* Draws frame f into the current (next=false) or the next texture. */
void transition_draw(struct transition *t, SDL_Renderer *r, struct render *rd, bool next,
                     const struct render_frame *f);

/* Composes on the screen the current slide (p < 0) or the transition of
 * `kind` (enum config_transition) at progress p in [0, 1); the caller
 * presents. ticker: the frame has a ticker strip (the body is shorter). */
void transition_compose(const struct transition *t, SDL_Renderer *r, float p, int kind, bool ticker);

/* The next slide becomes the current one. */
void transition_swap(struct transition *t);

/* Frees the textures (they are made again when next asked for). */
void transition_free(struct transition *t);

#endif
