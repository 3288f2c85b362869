/* picture_loader: the decoding thread and the texture cache. */
#include "picture_loader.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "log.h"
#include "xalloc.h"

struct picture {
    char path[PATH_MAX];
    SDL_Texture *tex; /* NULL: requested, not here yet (or failed) */
    bool failed;
    Uint64 used;
};

struct picture_loader {
    SDL_Renderer *renderer;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    char want[LOADER_QUEUE][PATH_MAX]; /* requests, oldest first */
    int n_want;
    char done_path[LOADER_QUEUE][PATH_MAX]; /* results, with their surface (NULL: failed) */
    SDL_Surface *done[LOADER_QUEUE];
    int n_done;
    int max_w, max_h;
    void (*notify)(void *ctx);
    void *ctx;
    /* main thread only */
    struct picture pictures[LOADER_TEXTURES];
    Uint64 tick;
    unsigned long overflows;
};

static void *loader_thread(void *arg) {
    struct picture_loader *l = arg;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->stop && (l->n_want == 0 || l->n_done == LOADER_QUEUE)) pthread_cond_wait(&l->cv, &l->mu);
        if (l->stop) break;
        char path[PATH_MAX];
        memcpy(path, l->want[0], sizeof path);
        memmove(l->want[0], l->want[1], sizeof l->want[0] * (size_t)(l->n_want - 1));
        l->n_want--;
        int mw = l->max_w, mh = l->max_h;
        pthread_mutex_unlock(&l->mu);
        char why[256] = "";
        SDL_Surface *s = image_decode(path, mw, mh, why, sizeof why);
        if (s == NULL) LOG(LOG_WARN, "%s: picture not shown: %s", path, why);
        pthread_mutex_lock(&l->mu);
        memcpy(l->done_path[l->n_done], path, sizeof path);
        l->done[l->n_done++] = s;
        pthread_mutex_unlock(&l->mu);
        l->notify(l->ctx);
        pthread_mutex_lock(&l->mu);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

struct picture_loader *loader_start(SDL_Renderer *r, int max_w, int max_h, void (*notify)(void *ctx),
                                    void *ctx) {
    struct picture_loader *l = xcalloc(1, sizeof *l);
    l->renderer = r;
    l->max_w = max_w;
    l->max_h = max_h;
    l->notify = notify;
    l->ctx = ctx;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    if (pthread_create(&l->thread, NULL, loader_thread, l) != 0) {
        LOG(LOG_ERROR, "cannot start the picture loader: pictures are not shown");
        pthread_mutex_destroy(&l->mu);
        pthread_cond_destroy(&l->cv);
        free(l);
        return NULL;
    }
    return l;
}

SDL_Texture *loader_get(struct picture_loader *l, const char *path, bool *failed) {
    if (failed) *failed = false;
    if (path == NULL || l == NULL) return NULL;
    struct picture *victim = &l->pictures[0];
    for (int i = 0; i < LOADER_TEXTURES; i++) {
        struct picture *p = &l->pictures[i];
        if (p->path[0] && strcmp(p->path, path) == 0) {
            p->used = ++l->tick;
            if (failed) *failed = p->failed;
            return p->tex;
        }
        if (p->used < victim->used) victim = p;
    }
    if (victim->tex) SDL_DestroyTexture(victim->tex);
    memset(victim, 0, sizeof *victim);
    pthread_mutex_lock(&l->mu);
    bool queued = l->n_want < LOADER_QUEUE;
    if (queued) {
        snprintf(l->want[l->n_want++], PATH_MAX, "%s", path);
        pthread_cond_signal(&l->cv);
    }
    pthread_mutex_unlock(&l->mu);
    /* A full queue used to drop the request and keep the entry as asked
     * for, so "読み込んでいます" stayed until the entry was evicted. Only a
     * queued request gets an entry: the loader is busy, its next picture
     * wakes the loop, and the redraw asks again. */
    if (queued) {
        snprintf(victim->path, sizeof victim->path, "%s", path);
        victim->used = ++l->tick;
    } else {
        l->overflows++;
    }
    return NULL;
}

void loader_arrived(struct picture_loader *l) {
    if (l == NULL) return;
    pthread_mutex_lock(&l->mu);
    for (int k = 0; k < l->n_done; k++) {
        SDL_Surface *s = l->done[k];
        for (int i = 0; i < LOADER_TEXTURES; i++) {
            struct picture *p = &l->pictures[i];
            if (!p->path[0] || strcmp(p->path, l->done_path[k]) != 0 || p->tex) continue;
            p->tex = s ? SDL_CreateTextureFromSurface(l->renderer, s) : NULL;
            p->failed = p->tex == NULL;
            if (p->tex) LOG(LOG_INFO, "picture ready: %s (%dx%d)", p->path, s->w, s->h);
        }
        SDL_FreeSurface(s);
    }
    l->n_done = 0;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

void loader_flush(struct picture_loader *l) {
    if (l == NULL) return;
    for (int i = 0; i < LOADER_TEXTURES; i++) {
        if (l->pictures[i].tex) SDL_DestroyTexture(l->pictures[i].tex);
        memset(&l->pictures[i], 0, sizeof l->pictures[i]);
    }
}

unsigned long loader_overflows(const struct picture_loader *l) { return l ? l->overflows : 0; }

void loader_stop(struct picture_loader *l) {
    if (l == NULL) return;
    pthread_mutex_lock(&l->mu);
    l->stop = true;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thread, NULL);
    for (int k = 0; k < l->n_done; k++) SDL_FreeSurface(l->done[k]);
    loader_flush(l);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l);
}
