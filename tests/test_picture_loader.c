/* Tests for picture_loader: real PNG files decoded on the worker thread
 * and turned into textures of a real (software) renderer. */
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#include "check.h"
#include "picture_loader.h"

static char dir[] = "/tmp/misato-loader-XXXXXX";
static atomic_int arrivals;

static void notify(void *ctx) {
    (void)ctx;
    atomic_fetch_add(&arrivals, 1);
}

static const char *pic(int i) {
    static char buf[8][256];
    snprintf(buf[i], sizeof buf[i], "%s/p%d.png", dir, i);
    return buf[i];
}

/* Big noisy pictures, so that decoding one takes far longer than asking
 * for all of them. */
static void make_pictures(void) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1600, 1200, 32, SDL_PIXELFORMAT_ARGB8888);
    if (s == NULL) abort();
    unsigned seed = 1;
    for (int i = 0; i < 8; i++) {
        Uint32 *px = s->pixels;
        for (int k = 0; k < s->w * s->h; k++) px[k] = 0xFF000000u | (seed = seed * 1103515245u + 12345u) >> 8;
        if (IMG_SavePNG(s, pic(i)) != 0) abort();
    }
    SDL_FreeSurface(s);
}

/* A full queue once left the entry "asked for" although the request was
 * dropped: that picture then never came (「読み込んでいます」 until evicted). */
static void every_picture_arrives_after_a_full_queue(void) {
    SDL_Surface *target = SDL_CreateRGBSurfaceWithFormat(0, 320, 200, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(target);
    CHECK(r != NULL);
    struct picture_loader *l = loader_start(r, 1920, 1080, notify, NULL);
    CHECK(l != NULL);
    if (l == NULL) return;
    for (int i = 0; i < 8; i++) CHECK(loader_get(l, pic(i), NULL) == NULL);
    CHECK(loader_overflows(l) > 0); /* the case this test is about happened */
    /* Like the loop: take arrivals, and ask again for what is on screen
     * (the last four). Bounded: 20 s for four pictures. */
    int have = 0, seen = 0;
    for (int turn = 0; turn < 2000 && have < 4; turn++) {
        if (atomic_load(&arrivals) != seen) {
            seen = atomic_load(&arrivals);
            loader_arrived(l);
        }
        have = 0;
        for (int i = 4; i < 8; i++) {
            bool failed = false;
            if (loader_get(l, pic(i), &failed)) have++;
            CHECK(!failed);
        }
        SDL_Delay(10);
    }
    CHECK_INT(have, 4);
    loader_stop(l);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(target);
}

static void a_broken_picture_is_reported_failed(void) {
    char bad[300];
    snprintf(bad, sizeof bad, "%s/bad.png", dir);
    FILE *f = fopen(bad, "wb");
    if (f == NULL) abort();
    fputs("\x89PNG\r\n\x1a\nnot really", f);
    fclose(f);
    SDL_Surface *target = SDL_CreateRGBSurfaceWithFormat(0, 320, 200, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *r = SDL_CreateSoftwareRenderer(target);
    struct picture_loader *l = loader_start(r, 1920, 1080, notify, NULL);
    int before = atomic_load(&arrivals);
    bool failed = false;
    CHECK(loader_get(l, bad, &failed) == NULL);
    CHECK(!failed); /* on its way */
    for (int i = 0; i < 1000 && atomic_load(&arrivals) == before; i++) SDL_Delay(10);
    loader_arrived(l);
    CHECK(loader_get(l, bad, &failed) == NULL);
    CHECK(failed);
    loader_stop(l);
    SDL_DestroyRenderer(r);
    SDL_FreeSurface(target);
}

int main(void) {
    if (mkdtemp(dir) == NULL) return 1;
    make_pictures();
    RUN(every_picture_arrives_after_a_full_queue);
    RUN(a_broken_picture_is_reported_failed);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return CHECK_DONE();
}
