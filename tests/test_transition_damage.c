/* The software path's frames (transition.c with damage tracking) against
 * full redraws: after every present, what the display holds (the previous
 * picture with only the damaged rectangles copied from the screen) must
 * equal the same frame drawn whole from scratch, pixel for pixel: still
 * frames with a moving ticker, a crossfade (blended only where the slides
 * differ), the end of the crossfade, a toast, a push. And the updates must
 * be partial: a ticker frame sends the strip, a crossfade not the header. */
#include <stdlib.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "blend.h"
#include "check.h"
#include "config.h"
#include "damage.h"
#include "deck.h"
#include "feed.h"
#include "font.h"
#include "layout.h"
#include "render.h"
#include "transition.h"

#define W 640
#define H 360

static char *regular, *bold;
static struct feed *feed;
static struct deck deck;
static const char *lines[] = {"マイナンバーカードがあれば全国のコンビニで住民票の写しが取得できます",
                              "役場窓口では「書かない窓口」タブレットで申請書の記入が不要になりました"};

static struct render_frame frame_at(size_t index, bool ticker) {
    struct render_frame f = {0};
    f.town_name = "美郷町";
    f.now.tm_year = 2026 - 1900;
    f.now.tm_mon = 10;
    f.now.tm_mday = 24;
    f.now.tm_wday = 2;
    f.now.tm_hour = 9;
    f.feed = feed;
    f.deck = &deck;
    f.index = index;
    if (ticker) {
        f.ticker = lines;
        f.n_ticker = 2;
    }
    return f;
}

static SDL_Surface *surface(void) { return SDL_CreateRGBSurfaceWithFormat(0, W, H, 32, SDL_PIXELFORMAT_RGB888); }

/* The player under test, and what its display shows. */
struct rig {
    SDL_Surface *screen, *shown;
    SDL_Renderer *sr;
    struct render *r;
    struct transition t;
    long sent;
    struct damage last; /* what the last present sent */
};

/* A reference renderer of its own: every frame drawn whole. */
struct ref {
    SDL_Surface *s, *a, *b;
    SDL_Renderer *sr;
    struct render *r;
};

/* The display: what a present sends (transition_send_to, as the KMS dumb
 * buffer gets it) is copied from the screen to what is shown. */
static void rig_send(void *ctx, const SDL_Rect *r, int n) {
    struct rig *g = ctx;
    g->last.n = 0;
    for (int i = 0; i < n && i < DAMAGE_MAX; i++) {
        SDL_Rect rc = r[i];
        SDL_BlitSurface(g->screen, &rc, g->shown, &rc);
        g->last.r[g->last.n++] = r[i];
    }
}

static void present(struct rig *g) {
    struct damage d = g->t.damage;
    g->last.n = -1;
    long n = transition_present(&g->t, g->sr);
    CHECK_INT(n, damage_area(&d));
    CHECK_INT(g->last.n, d.n > 0 ? d.n : -1); /* sent what was damaged; nothing when nothing was */
    if (d.n == 0) g->last.n = 0;
    g->sent = n;
}

static void ticker(struct rig *g, const struct render_frame *f, double offset) {
    render_ticker(g->r, f, offset);
    SDL_Rect strip = render_ticker_rect(W, H);
    transition_overlay(&g->t, &strip);
}

/* The reference frame: slide a, or a crossfade from a to b at alpha, with
 * the ticker at offset. */
static void ref_frame(struct ref *rf, size_t a, long b, Uint8 alpha, double offset, bool toast) {
    struct render_frame fa = frame_at(a, true);
    render_draw(rf->r, &fa);
    SDL_RenderFlush(rf->sr);
    if (b >= 0) {
        SDL_BlitSurface(rf->s, NULL, rf->a, NULL);
        struct render_frame fb = frame_at((size_t)b, true);
        render_draw(rf->r, &fb);
        SDL_RenderFlush(rf->sr);
        SDL_BlitSurface(rf->s, NULL, rf->b, NULL);
        blend_rows(rf->s, rf->a, rf->b, 0, H, alpha); /* the whole frame */
    }
    render_ticker(rf->r, &fa, offset);
    if (toast) render_toast(rf->r, "USBから画像を5件取り込みました", true);
    SDL_RenderFlush(rf->sr);
}

static bool same(SDL_Surface *x, SDL_Surface *y) {
    for (int row = 0; row < H; row++)
        if (memcmp((Uint8 *)x->pixels + row * x->pitch, (Uint8 *)y->pixels + row * y->pitch, W * 4)) {
            fprintf(stderr, "first differing row: %d\n", row);
            return false;
        }
    return true;
}

static void damage_tracked_frames_should_equal_full_redraws(void) {
    struct rig g = {0};
    g.screen = surface();
    g.shown = surface();
    SDL_FillRect(g.shown, NULL, 0x00ff00ff); /* nothing the player draws */
    g.sr = SDL_CreateSoftwareRenderer(g.screen);
    g.r = render_new(g.sr, regular, bold);
    transition_software(&g.t, NULL, g.screen);
    transition_send_to(&g.t, rig_send, &g);
    struct ref rf = {surface(), surface(), surface(), NULL, NULL};
    rf.sr = SDL_CreateSoftwareRenderer(rf.s);
    rf.r = render_new(rf.sr, regular, bold);
    CHECK(g.r != NULL && rf.r != NULL);
    if (!g.r || !rf.r) return;
    struct render_frame f0 = frame_at(0, true), f1 = frame_at(1, true);
    SDL_SetSurfaceBlendMode(g.screen, SDL_BLENDMODE_NONE);
    SDL_SetSurfaceBlendMode(rf.s, SDL_BLENDMODE_NONE);
    SDL_SetSurfaceBlendMode(rf.a, SDL_BLENDMODE_NONE);
    SDL_SetSurfaceBlendMode(rf.b, SDL_BLENDMODE_NONE);

    /* The first frame: drawn and sent whole. */
    CHECK(transition_targets(&g.t, g.sr));
    transition_draw(&g.t, g.sr, g.r, false, &f0);
    transition_compose(&g.t, g.sr, -1, CONFIG_TRANSITION_CROSSFADE, true);
    ticker(&g, &f0, 0);
    present(&g);
    ref_frame(&rf, 0, -1, 0, 0, false);
    CHECK(same(g.shown, rf.s));
    CHECK_INT(g.sent, W * H);

    /* Ticker frames: only the strip is sent. */
    SDL_Rect strip = render_ticker_rect(W, H);
    for (int k = 1; k <= 3; k++) {
        transition_compose(&g.t, g.sr, -1, CONFIG_TRANSITION_CROSSFADE, true);
        ticker(&g, &f0, k * 7.5);
        present(&g);
        ref_frame(&rf, 0, -1, 0, k * 7.5, false);
        CHECK(same(g.shown, rf.s));
        CHECK_INT(g.sent, (long)strip.w * strip.h);
    }

    /* A crossfade: the next slide drawn first, then blended frames. */
    transition_draw(&g.t, g.sr, g.r, true, &f1);
    int hdr = render_body_rect(W, H, true).y;
    for (int k = 0; k < 4; k++) {
        float p = (float)k / 4.0f;
        transition_compose(&g.t, g.sr, p, CONFIG_TRANSITION_CROSSFADE, true);
        ticker(&g, &f0, 30 + k);
        present(&g);
        ref_frame(&rf, 0, 1, (Uint8)lroundf(p * 255.0f), 30 + k, false);
        CHECK(same(g.shown, rf.s));
        CHECK(g.sent < (long)W * (H - hdr) + 1); /* the header is never sent */
        for (int i = 0; i < g.last.n; i++) CHECK(g.last.r[i].y >= hdr);
        /* After the first frame, only where the slides differ (and the
         * ticker's strip): less than the rows they differ in. */
        long band = (long)W * (g.t.band_y1 - g.t.band_y0);
        if (k > 0) CHECK(g.sent < band * 9 / 10);
        if (k > 0) fprintf(stderr, "crossfade frame %d: %ld of the band's %ld pixels sent\n", k, g.sent, band);
    }
    /* Its end: the next slide is the current one. */
    transition_swap(&g.t);
    transition_compose(&g.t, g.sr, -1, CONFIG_TRANSITION_CROSSFADE, true);
    ticker(&g, &f1, 40);
    present(&g);
    ref_frame(&rf, 1, -1, 0, 40, false);
    CHECK(same(g.shown, rf.s));

    /* A toast over the slide, then gone. */
    transition_compose(&g.t, g.sr, -1, CONFIG_TRANSITION_CROSSFADE, true);
    ticker(&g, &f1, 41);
    render_toast(g.r, "USBから画像を5件取り込みました", true);
    transition_overlay(&g.t, NULL);
    present(&g);
    ref_frame(&rf, 1, -1, 0, 41, true);
    CHECK(same(g.shown, rf.s));
    transition_compose(&g.t, g.sr, -1, CONFIG_TRANSITION_CROSSFADE, true);
    ticker(&g, &f1, 42);
    present(&g);
    ref_frame(&rf, 1, -1, 0, 42, false);
    CHECK(same(g.shown, rf.s));

    /* A new minute: only the header is drawn and sent, and the frame is
     * the slide drawn whole at the new time. */
    transition_compose(&g.t, g.sr, -1, CONFIG_TRANSITION_CROSSFADE, true);
    struct render_frame later = frame_at(1, true);
    later.now.tm_min = 1;
    CHECK(transition_header(&g.t, g.sr, g.r, &later));
    ticker(&g, &f1, 42.5);
    present(&g);
    {
        render_draw(rf.r, &later);
        render_ticker(rf.r, &later, 42.5);
        SDL_RenderFlush(rf.sr);
        CHECK(same(g.shown, rf.s));
        /* Of the header only what the new minute changed: the clock's
         * digits, not the band (the whole band before). */
        SDL_Rect hb = render_header_rect(W, H);
        long head = g.sent - (long)strip.w * strip.h;
        printf("a new minute sends %ld of the header's %ld pixels\n", head, (long)hb.w * hb.h);
        CHECK(head > 0);
        CHECK(head <= (long)hb.w * hb.h / 2);
    }
    f1 = later;
    struct render_frame f0later_early = frame_at(0, true);
    f0later_early.now.tm_min = 1;

    /* A push ends on the same picture as a full redraw of the slide. */
    transition_draw(&g.t, g.sr, g.r, true, &f0later_early);
    transition_compose(&g.t, g.sr, 0.5f, CONFIG_TRANSITION_PUSH, true);
    ticker(&g, &f1, 43);
    present(&g);
    transition_swap(&g.t);
    transition_compose(&g.t, g.sr, -1, CONFIG_TRANSITION_PUSH, true);
    ticker(&g, &f0, 44);
    present(&g);
    struct render_frame f0later = frame_at(0, true);
    f0later.now.tm_min = 1;
    render_draw(rf.r, &f0later);
    render_ticker(rf.r, &f0later, 44);
    SDL_RenderFlush(rf.sr);
    CHECK(same(g.shown, rf.s));

    transition_free(&g.t);
    render_free(g.r);
    render_free(rf.r);
    SDL_DestroyRenderer(g.sr);
    SDL_DestroyRenderer(rf.sr);
    SDL_FreeSurface(g.screen);
    SDL_FreeSurface(g.shown);
    SDL_FreeSurface(rf.s);
    SDL_FreeSurface(rf.a);
    SDL_FreeSurface(rf.b);
}

int main(void) {
    if (TTF_Init() != 0) return 1;
    layout_init();
    regular = font_find("BIZ UDPGothic", false);
    bold = font_find("BIZ UDPGothic", true);
    if (regular == NULL || bold == NULL) return 1;
    if (feed_parse_default(NULL, &feed) != FEED_OK) return 1;
    deck_build(feed, NULL, 12, 0, false, &deck);
    RUN(damage_tracked_frames_should_equal_full_redraws);
    feed_free(feed);
    free(regular);
    free(bold);
    TTF_Quit();
    return CHECK_DONE();
}
