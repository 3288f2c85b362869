/* screenshot: read back on the main thread, written off it. */
#include "screenshot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_image.h>

#include "file.h"
#include "log.h"
#include "xalloc.h"

struct shot {
    SDL_Surface *surface;
    char dir[PATH_MAX];
};

static void *save_shot(void *arg) {
    struct shot *sh = arg;
    char tmp[PATH_MAX + 32], path[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s/.screenshot.png.tmp", sh->dir);
    snprintf(path, sizeof path, "%s/screenshot.png", sh->dir);
    const char *why = NULL;
    if (!file_mkdir_p(sh->dir)) why = strerror(errno);
    else if (IMG_SavePNG(sh->surface, tmp) != 0) why = IMG_GetError();
    else if (rename(tmp, path) != 0) why = strerror(errno);
    if (why) {
        LOG(LOG_WARN, "screenshot not saved to %s: %s", path, why);
        unlink(tmp);
    } else {
        LOG(LOG_INFO, "screenshot saved: %s (%dx%d)", path, sh->surface->w, sh->surface->h);
    }
    SDL_FreeSurface(sh->surface);
    free(sh);
    return NULL;
}

void screenshot_take(struct screenshot *s, SDL_Renderer *r, const char *dir) {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(r, &w, &h);
    SDL_Surface *surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (surf == NULL || SDL_RenderReadPixels(r, NULL, SDL_PIXELFORMAT_ARGB8888, surf->pixels, surf->pitch) != 0) {
        LOG(LOG_WARN, "screenshot: %s", SDL_GetError());
        SDL_FreeSurface(surf);
        return;
    }
    screenshot_finish(s);
    struct shot *sh = xmalloc(sizeof *sh);
    sh->surface = surf;
    snprintf(sh->dir, sizeof sh->dir, "%s", dir);
    s->started = pthread_create(&s->thread, NULL, save_shot, sh) == 0;
    if (!s->started) {
        SDL_FreeSurface(surf);
        free(sh);
    }
}

void screenshot_finish(struct screenshot *s) {
    if (s->started) pthread_join(s->thread, NULL);
    s->started = false;
}
