/* bench-render: how long drawing a slide takes with SDL's software renderer
 * (what the Pi falls back to), cold (every text rasterised) and warm (text
 * textures reused), and how much memory that costs. Prints figures; checks
 * nothing. Usage: bench-render [WxH] [frames] */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "deck.h"
#include "feed.h"
#include "font.h"
#include "layout.h"
#include "render.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
    int w = 1920, h = 1080, frames = 50;
    if (argc > 1 && sscanf(argv[1], "%dx%d", &w, &h) != 2) return 2;
    if (argc > 2) frames = atoi(argv[2]);
    if (TTF_Init() != 0) return 1;
    layout_init();
    char *regular = font_find("BIZ UDPGothic", false), *bold = font_find("BIZ UDPGothic", true);
    struct feed *feed = NULL;
    if (!regular || !bold || feed_parse_default(NULL, &feed) != FEED_OK) return 1;
    static struct deck deck;
    deck_build(feed, NULL, 12, 0, false, &deck);
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(s);
    struct render *r = render_new(sr, regular, bold);
    struct render_frame f = {0};
    f.town_name = "美郷町";
    f.now.tm_year = 126;
    f.now.tm_mon = 10;
    f.now.tm_mday = 24;
    f.now.tm_wday = 2;
    f.now.tm_hour = 9;
    f.feed = feed;
    f.deck = &deck;

    double t0 = now_ms();
    for (size_t i = 0; i < deck.n; i++) {
        f.index = i;
        render_draw(r, &f);
    }
    double cold = (now_ms() - t0) / (double)deck.n;
    size_t made, cached;
    render_text_stats(r, &made, &cached);

    t0 = now_ms();
    for (int k = 0; k < frames; k++) {
        f.index = (size_t)k % deck.n;
        render_draw(r, &f);
    }
    double warm = (now_ms() - t0) / frames;
    size_t made2;
    render_text_stats(r, &made2, NULL);
    /* A crossfade frame: two full-screen slides composed with alpha. */
    SDL_Texture *a = SDL_CreateTexture(sr, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
    SDL_Texture *b = SDL_CreateTexture(sr, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET, w, h);
    double fade = -1;
    if (a && b) {
        SDL_SetRenderTarget(sr, a);
        f.index = 0;
        render_draw(r, &f);
        SDL_SetRenderTarget(sr, b);
        f.index = 1;
        render_draw(r, &f);
        SDL_SetRenderTarget(sr, NULL);
        SDL_SetTextureBlendMode(b, SDL_BLENDMODE_BLEND);
        t0 = now_ms();
        for (int k = 0; k < frames; k++) {
            SDL_RenderCopy(sr, a, NULL, NULL);
            SDL_SetTextureAlphaMod(b, (Uint8)(k * 255 / frames));
            SDL_RenderCopy(sr, b, NULL, NULL);
        }
        fade = (now_ms() - t0) / frames;
    }
    SDL_DestroyTexture(a);
    SDL_DestroyTexture(b);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("render %dx%d, software renderer, %zu slides\n", w, h, deck.n);
    printf("  first draw of each slide (text rasterised): %.1f ms/frame\n", cold);
    printf("  later draws (text textures reused):         %.1f ms/frame over %d frames\n", warm,
           frames);
    printf("  text textures made: %zu on first pass, %zu more after %d frames; %zu cached\n", made,
           made2 - made, frames, cached);
    printf("  one crossfade frame (composition only):     %.1f ms\n", fade);
    printf("  peak RSS: %ld MiB\n", ru.ru_maxrss / 1024);
    render_free(r);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(s);
    feed_free(feed);
    free(regular);
    free(bold);
    TTF_Quit();
    return 0;
}
