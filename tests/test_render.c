/* Tests for render with the real font and SDL's software renderer: the
 * frame is drawn at every supported size, text is rasterised once and then
 * reused, and bad text never reaches SDL_ttf. */
#include <stdlib.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "chart_check.h"
#include "check.h"
#include "deck.h"
#include "feed.h"
#include "file.h"
#include "fmt.h"
#include "font.h"
#include "layout.h"
#include "render.h"
#include "util.h"

static char *regular, *bold;
static struct feed *feed;
static struct deck deck;

static Uint32 pixel(SDL_Surface *s, int x, int y) {
    return ((Uint32 *)((Uint8 *)s->pixels + y * s->pitch))[x];
}

/* Number of distinct colours on a sparse grid: a blank frame has 1. */
static int colours(SDL_Surface *s) {
    Uint32 seen[256];
    int n = 0;
    for (int y = 0; y < s->h; y += 7)
        for (int x = 0; x < s->w; x += 7) {
            Uint32 p = pixel(s, x, y);
            int k;
            for (k = 0; k < n && seen[k] != p; k++) {}
            if (k == n && n < 256) seen[n++] = p;
        }
    return n;
}

static struct render_frame frame_at(size_t index) {
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
    return f;
}

static void every_slide_should_draw_at_every_size(void) {
    static const int sizes[][2] = {{1920, 1080}, {1280, 720}, {3840, 2160}, {1080, 1920}};
    for (size_t k = 0; k < ARRAY_LEN(sizes); k++) {
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, sizes[k][0], sizes[k][1], 32,
                                                        SDL_PIXELFORMAT_ARGB8888);
        SDL_Renderer *sr = SDL_CreateSoftwareRenderer(s);
        struct render *r = render_new(sr, regular, bold);
        CHECK(r != NULL);
        for (size_t i = 0; r && i < deck.n; i++) {
            struct render_frame f = frame_at(i);
            render_draw(r, &f);
            SDL_RenderPresent(sr);
            CHECK(colours(s) > 8);
            /* The header band is the header colour at its left edge. */
            Uint8 cr, cg, cb;
            SDL_GetRGB(pixel(s, 2, 2), s->format, &cr, &cg, &cb);
            CHECK(cr == 0x0F && cg == 0x35 && cb == 0x56);
        }
        render_free(r);
        SDL_DestroyRenderer(sr);
        SDL_FreeSurface(s);
    }
}

/* The seven screen shapes the goldens cover, and the two small ones. */
static const int all_sizes[][2] = {{1920, 1080}, {1280, 720}, {3840, 2160}, {1080, 1920}, {1024, 768},
                                   {1280, 1024}, {1280, 800}, {960, 540}, {540, 960}};

static bool is_rgb(SDL_Surface *s, int x, int y, unsigned char r, unsigned char g, unsigned char b) {
    Uint8 cr, cg, cb;
    SDL_GetRGB(pixel(s, x, y), s->format, &cr, &cg, &cb);
    return cr == r && cg == g && cb == b;
}

/* Issue #12 item 5: at 1080x1920 the push transition's body began at y=141
 * while the header ends at 250, so part of the header moved. The body is
 * exactly what lies between the header band and the footer (or ticker). */
static void body_rect_should_match_the_drawn_frame_at_every_size(void) {
    const char *lines[] = {"テロップ"};
    for (size_t k = 0; k < ARRAY_LEN(all_sizes); k++)
        for (int ticker = 0; ticker < 2; ticker++) {
            int w = all_sizes[k][0], h = all_sizes[k][1];
            SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
            SDL_Renderer *sr = SDL_CreateSoftwareRenderer(s);
            struct render *r = render_new(sr, regular, bold);
            struct render_frame f = frame_at(1); /* a KPI slide: page colour at the left edge */
            if (ticker) {
                f.ticker = lines;
                f.n_ticker = 1;
            }
            render_draw(r, &f);
            if (ticker) render_ticker(r, &f, 0);
            SDL_RenderPresent(sr);
            SDL_Rect b = render_body_rect(w, h, ticker);
            bool ok = b.x == 0 && b.w == w && b.y > 0 && b.y + b.h < h;
            /* Header colour on the row above the body, not on its first row. */
            ok = ok && is_rgb(s, 1, b.y - 1, 0x0F, 0x35, 0x56) && !is_rgb(s, 1, b.y, 0x0F, 0x35, 0x56);
            /* The body's last row is the page; the next is the ticker or the footer. */
            ok = ok && is_rgb(s, 1, b.y + b.h - 1, 0xF5, 0xF7, 0xFA) && !is_rgb(s, 1, b.y + b.h, 0xF5, 0xF7, 0xFA);
            if (!ok) {
                fprintf(stderr, "  %dx%d ticker=%d: body y=%d h=%d does not match the frame\n", w, h, ticker, b.y, b.h);
                CHECK(false);
            }
            render_free(r);
            SDL_DestroyRenderer(sr);
            SDL_FreeSurface(s);
        }
}

/* --- every fact on screen, whole or visibly cut (issue #12 item 1) ------- */

static struct render_trace trace;
static bool trace_ticker; /* the frame traced has a ticker strip */

/* A fact is shown when a text drawn inside the screen came from a string
 * that holds it: either the string was drawn whole, or it ends in "…"
 * where it was cut, which the resident can see. */
static bool fact_on_screen(const char *fact, int w, int h, bool *cut) {
    *cut = false;
    if (fact == NULL || !fact[0]) return true;
    size_t n = trace.n < trace.max ? trace.n : trace.max;
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        const struct render_text_record *t = &trace.recs[i];
        if (strstr(t->source, fact) == NULL) continue;
        if (t->x < -0.5f || t->y < -0.5f || t->x + t->w > (float)w + 0.5f || t->y + t->h > (float)h + 0.5f)
            continue; /* off the screen is not shown */
        /* Nor is what runs into the ticker strip or the footer from the
         * body (the footer's own text lies wholly inside it). */
        SDL_Rect body = render_body_rect(w, h, trace_ticker);
        float bottom = (float)(body.y + body.h);
        if (t->y < bottom && t->y + t->h > bottom + 0.5f) continue;
        if (trace_ticker && t->y >= bottom && t->y < bottom + (float)h * 0.06f) continue;
        if (!t->cut) return true;
        found = *cut = true;
    }
    return found;
}

static int facts_missing;

static void expect_fact(const char *slide, int w, int h, const char *what, const char *fact) {
    bool cut;
    if (!fact_on_screen(fact, w, h, &cut)) {
        fprintf(stderr, "  %dx%d %s: %s 「%s」 is neither shown nor cut with …\n", w, h, slide, what, fact);
        facts_missing++;
    }
}

/* The plan's text for fy, "⇒" resolved to the step it continues. */
static const char *plan_step(const struct feed_plan_row *row, int fy) {
    for (int y = fy; y >= FEED_FY_FIRST; y--) {
        const char *t = row->by_year[y - FEED_FY_FIRST];
        if (t == NULL) return NULL;
        if (strcmp(t, "⇒") != 0) return t;
    }
    return NULL;
}

/* What the feed says that a slide of this kind must show. */
static void expect_slide_facts(const struct feed *fd, const struct slide *sl, int current_fy, int w, int h) {
    char buf[64];
    if (sl->kind == SLIDE_KPI || sl->kind == SLIDE_DETAIL) {
        const struct feed_measure *m = &fd->measures[sl->item];
        expect_fact(sl->id, w, h, "name", m->name);
        for (size_t i = 0; i < m->n_departments; i++) expect_fact(sl->id, w, h, "department", m->departments[i]);
        for (int y = 0; y < FEED_FY_COUNT; y++)
            if (m->actual_notes[y]) expect_fact(sl->id, w, h, "actual (in words)", m->actual_notes[y]);
        if (sl->kind == SLIDE_KPI) {
            expect_fact(sl->id, w, h, "metric", m->metric_name);
            for (int y = 0; y < FEED_FY_COUNT; y++) {
                if (m->targets.has[y])
                    expect_fact(sl->id, w, h, "target", fmt_value(buf, sizeof buf, m->targets.value[y], m->unit));
                if (m->actuals.has[y])
                    expect_fact(sl->id, w, h, "actual", fmt_value(buf, sizeof buf, m->actuals.value[y], m->unit));
            }
        } else {
            for (size_t i = 0; i < m->n_description; i++) expect_fact(sl->id, w, h, "description", m->description[i]);
            for (size_t i = 0; i < m->n_plan; i++) expect_fact(sl->id, w, h, "this year's plan", plan_step(&m->plan[i], current_fy));
            for (size_t i = 0; i < m->n_effects; i++) expect_fact(sl->id, w, h, "effect", m->effects[i]);
        }
    } else if (sl->kind == SLIDE_SUMMARY) {
        size_t heads[DECK_MAX_HEADLINES], n = deck_headlines(fd, heads);
        for (size_t i = 0; i < n; i++) {
            const struct feed_measure *m = &fd->measures[heads[i]];
            expect_fact(sl->id, w, h, "metric", m->metric_name ? m->metric_name : m->name);
            int fy = feed_latest_actual_fy(m);
            double v = 0;
            if (fy && feed_series_get(&m->actuals, fy, &v)) expect_fact(sl->id, w, h, "actual", fmt_value(buf, sizeof buf, v, NULL));
            if (fy && feed_series_get(&m->targets, fy, &v)) expect_fact(sl->id, w, h, "target", fmt_value(buf, sizeof buf, v, m->unit));
            if (w > h) expect_fact(sl->id, w, h, "measure", m->name);
        }
    } else if (sl->kind == SLIDE_ROADMAP) {
        for (size_t i = 0; i < fd->n_measures; i++)
            if ((size_t)fd->measures[i].field == sl->item) expect_fact(sl->id, w, h, "measure", fd->measures[i].name);
    } else if (sl->kind == SLIDE_ANNOUNCEMENT) {
        const struct feed_announcement *a = &fd->announcements[sl->item];
        expect_fact(sl->id, w, h, "title", a->title);
        if (a->body) {
            char para[1100];
            for (const char *p = a->body; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                snprintf(para, sizeof para, "%.*s", (int)(len < 1000 ? len : 1000), p);
                expect_fact(sl->id, w, h, "body", para);
                p = nl ? nl + 1 : p + len;
            }
        }
    }
}

/* The plan with every measure's name made long, as a town's own plan may
 * have them (issue #12: two summary cards lost their subtitle). */
static struct feed *long_names_feed(void) {
    char *body = NULL;
    size_t len = 0;
    struct feed *f = NULL;
    if (file_read(AT_FDCWD, MISATO_SOURCE_DIR "/config/default-feed.json", FEED_MAX_BYTES, 0, &body, &len, NULL) != FILE_OK) return NULL;
    static const char longer[] = "\"name\": \"住民と事業者のための手続きと窓口と情報発信の全面的なデジタル化と";
    size_t n = 0;
    for (const char *p = body; (p = strstr(p, "\"name\": \"")) != NULL; p++) n++;
    char *out = malloc(len + n * sizeof longer + 1);
    size_t o = 0;
    for (const char *p = body;;) {
        const char *q = strstr(p, "\"name\": \"");
        if (q == NULL) {
            strcpy(out + o, p);
            o += strlen(p);
            break;
        }
        memcpy(out + o, p, (size_t)(q - p));
        o += (size_t)(q - p);
        memcpy(out + o, longer, sizeof longer - 1);
        o += sizeof longer - 1;
        p = q + strlen("\"name\": \"");
    }
    feed_parse(out, o, NULL, &f);
    free(out);
    free(body);
    return f;
}

static void every_fact_should_be_shown_or_visibly_cut(void) {
    struct feed *feeds[3] = {feed, NULL, long_names_feed()};
    char *body = NULL;
    size_t len = 0;
    if (file_read(AT_FDCWD, MISATO_SOURCE_DIR "/tests/data/alert-feed.json", FEED_MAX_BYTES, 0, &body, &len, NULL) == FILE_OK)
        feed_parse(body, len, NULL, &feeds[1]);
    free(body);
    CHECK(feeds[1] != NULL);
    CHECK(feeds[2] != NULL);
    trace.max = 4096;
    trace.recs = calloc(trace.max, sizeof *trace.recs);
    facts_missing = 0;
    int chart_bad = 0;
    for (size_t k = 0; k < ARRAY_LEN(all_sizes); k++) {
        int w = all_sizes[k][0], h = all_sizes[k][1];
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
        SDL_Renderer *sr = SDL_CreateSoftwareRenderer(s);
        struct render *r = render_new(sr, regular, bold);
        for (size_t fi = 0; fi < 3 && feeds[fi]; fi++) {
            struct deck d;
            deck_build(feeds[fi], NULL, 12, 1795488000 /* 2026-11-24 */, true, &d);
            for (size_t i = 0; i < d.n; i++) {
                struct render_frame f = frame_at(i);
                f.feed = feeds[fi];
                f.deck = &d;
                /* The feed's ticker takes its strip, as on the lobby's screen. */
                const char *lines[FEED_MAX_TICKER];
                for (size_t t = 0; t < feeds[fi]->n_ticker; t++) lines[t] = feeds[fi]->ticker[t].text;
                f.ticker = lines;
                f.n_ticker = feeds[fi]->n_ticker;
                trace_ticker = f.n_ticker > 0;
                render_set_trace(r, &trace);
                render_draw(r, &f);
                render_set_trace(r, NULL);
                CHECK(trace.n <= trace.max);
                expect_slide_facts(feeds[fi], &d.slides[i], 2026, w, h);
                /* Issue #12 item 2: the KPI chart's own boxes, at every size. */
                if (d.slides[i].kind == SLIDE_KPI) {
                    char what[96];
                    snprintf(what, sizeof what, "%dx%d %s%s", w, h, d.slides[i].id, trace_ticker ? " (ticker)" : "");
                    if (!trace.has_chart) {
                        fprintf(stderr, "  %s: no chart\n", what);
                        chart_bad++;
                    } else {
                        if (getenv("CHART_BOXES"))
                            printf("chart %s: %.0f %.0f %.0f %.0f\n", what, trace.chart_box.x, trace.chart_box.y,
                                   trace.chart_box.w, trace.chart_box.h);
                        chart_bad += chart_problems(&trace.chart, &trace.chart_box, what);
                    }
                }
            }
        }
        render_free(r);
        SDL_DestroyRenderer(sr);
        SDL_FreeSurface(s);
    }
    if (facts_missing) fprintf(stderr, "  %d facts missing\n", facts_missing);
    if (chart_bad) fprintf(stderr, "  %d chart problems\n", chart_bad);
    CHECK_INT(chart_bad, 0);
    CHECK_INT(facts_missing, 0);
    feed_free(feeds[1]);
    feed_free(feeds[2]);
    free(trace.recs);
}

/* Issue #12 item 9: each summary card fitted its own number, so 63 looked
 * bigger than 2,239. The four numbers share one size. */
static void summary_numbers_should_share_one_size(void) {
    static struct render_text_record recs[512];
    static struct render_trace t;
    t.recs = recs;
    t.max = ARRAY_LEN(recs);
    size_t heads[DECK_MAX_HEADLINES], n = deck_headlines(feed, heads);
    CHECK(n == 4);
    for (size_t k = 0; k < ARRAY_LEN(all_sizes); k++) {
        int w = all_sizes[k][0], h = all_sizes[k][1];
        SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
        SDL_Renderer *sr = SDL_CreateSoftwareRenderer(s);
        struct render *r = render_new(sr, regular, bold);
        struct render_frame f = frame_at(0); /* the summary */
        render_set_trace(r, &t);
        render_draw(r, &f);
        render_set_trace(r, NULL);
        int px[DECK_MAX_HEADLINES] = {0};
        float base[DECK_MAX_HEADLINES] = {0};
        for (size_t i = 0; i < n; i++) {
            char num[48];
            double v = 0;
            const struct feed_measure *m = &feed->measures[heads[i]];
            CHECK(feed_series_get(&m->actuals, feed_latest_actual_fy(m), &v));
            fmt_value(num, sizeof num, v, NULL);
            for (size_t j = 0; j < t.n && j < t.max; j++)
                if (strcmp(recs[j].text, num) == 0 && recs[j].px > px[i]) px[i] = recs[j].px, base[i] = recs[j].y;
            CHECK(px[i] > 0);
        }
        for (size_t i = 1; i < n; i++)
            if (px[i] != px[0]) {
                fprintf(stderr, "  %dx%d: the numbers are %dpx and %dpx\n", w, h, px[0], px[i]);
                CHECK(false);
            }
        /* Side by side (landscape), they also stand on one line. */
        if (w > h && (float)w / (float)h > 1.5f)
            for (size_t i = 1; i < n; i++) CHECK_NEAR(base[i], base[0], 1.0);
        render_free(r);
        SDL_DestroyRenderer(sr);
        SDL_FreeSurface(s);
    }
}

/* Issue #12 item 7: emoji were empty boxes; combining marks made a line
 * taller and pushed a title under the body panel. */
static void emoji_should_be_drawn_in_colour_and_marks_keep_the_line(void) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 800, 200, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(s);
    struct render *r = render_new(sr, regular, bold);
    static struct render_text_record recs[16];
    static struct render_trace t;
    t.recs = recs;
    t.max = ARRAY_LEN(recs);
    SDL_SetRenderDrawColor(sr, 255, 255, 255, 255);
    SDL_RenderClear(sr);
    render_set_trace(r, &t);
    render_label(r, "窓口で👍🏻", 60, false, 10, 10);
    render_label(r, "e\u0301\u0301\u0301 e", 60, false, 10, 100);
    render_label(r, "e e", 60, false, 400, 100);
    render_set_trace(r, NULL);
    SDL_RenderPresent(sr);
    /* Colour: a box or a black glyph has none; the thumb is yellow/skin. */
    int coloured = 0;
    for (int y = 10; y < 90; y++)
        for (int x = 10; x < 400; x++) {
            Uint8 cr, cg, cb;
            SDL_GetRGB(pixel(s, x, y), s->format, &cr, &cg, &cb);
            if (abs(cr - cb) > 60) coloured++;
        }
    if (coloured < 200) fprintf(stderr, "  the emoji has %d coloured pixels\n", coloured);
    CHECK(coloured >= 200);
    CHECK_INT(t.n, 3);
    CHECK(recs[0].w > 0);
    CHECK_NEAR(recs[1].h, recs[2].h, 0.5); /* the marks do not make the line taller */
    render_free(r);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(s);
}

static void text_should_be_rasterised_once(void) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 1920, 1080, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(s);
    struct render *r = render_new(sr, regular, bold);
    struct render_frame f = frame_at(0);
    render_draw(r, &f);
    size_t made1, cached1, made2, cached2;
    render_text_stats(r, &made1, &cached1);
    CHECK(made1 > 10);
    render_draw(r, &f);
    render_draw(r, &f);
    render_text_stats(r, &made2, &cached2);
    CHECK_INT(made2, made1);
    CHECK_INT(cached2, cached1);
    /* The next minute changes only the clock. */
    f.now.tm_min = 1;
    render_draw(r, &f);
    render_text_stats(r, &made2, NULL);
    CHECK_INT(made2, made1 + 1);
    render_free(r);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(s);
}

static void bad_text_should_be_skipped(void) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 640, 360, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(s);
    struct render *r = render_new(sr, regular, bold);
    struct render_frame f = frame_at(0);
    f.town_name = "\xff\xfe bad";
    render_draw(r, &f);
    f.town_name = "";
    render_draw(r, &f);
    f.index = 999; /* out of the deck: the frame alone */
    render_draw(r, &f);
    CHECK(colours(s) > 2);
    render_free(r);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(s);
}

static void missing_font_should_fail_cleanly(void) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_Renderer *sr = SDL_CreateSoftwareRenderer(s);
    CHECK(render_new(sr, "/nonexistent.ttf", "/nonexistent.ttf") == NULL);
    SDL_DestroyRenderer(sr);
    SDL_FreeSurface(s);
}

static void font_lookup_should_find_biz_ud_gothic(void) {
    CHECK(regular != NULL && strstr(regular, "BIZUDPGothic-Regular") != NULL);
    CHECK(bold != NULL && strstr(bold, "BIZUDPGothic-Bold") != NULL);
    char *p = font_find("No Such Font Family", false);
    CHECK(p != NULL && strstr(p, "BIZUDPGothic") != NULL); /* falls back */
    free(p);
    p = font_find("/nonexistent/font.ttf", true);
    CHECK(p != NULL && strstr(p, "BIZUDPGothic-Bold") != NULL);
    free(p);
}

/* WCAG 2 relative luminance and contrast ratio. */
static double channel(unsigned char c) {
    double s = c / 255.0;
    return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4);
}

static double luminance(const unsigned char c[3]) {
    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
}

static double contrast(const unsigned char a[3], const unsigned char b[3]) {
    double la = luminance(a), lb = luminance(b);
    return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static void contrast_should_be_at_least_4_5_to_1_everywhere(void) {
    unsigned char black[3] = {0, 0, 0}, white[3] = {255, 255, 255};
    CHECK_NEAR(contrast(black, white), 21.0, 0.01); /* the formula itself */
    struct render_colour_pair pairs[64];
    size_t n = render_colour_pairs(pairs, 64);
    CHECK(n >= 15);
    for (size_t i = 0; i < n; i++) {
        double c = contrast(pairs[i].fg, pairs[i].bg);
        printf("contrast %5.2f:1  %s\n", c, pairs[i].what);
        if (c < 4.5) {
            fprintf(stderr, "  %s: %.2f:1 is below 4.5:1\n", pairs[i].what, c);
            CHECK(false);
        }
    }
}

int main(void) {
    if (TTF_Init() != 0) return 1;
    layout_init();
    regular = font_find("BIZ UDPGothic", false);
    bold = font_find("BIZ UDPGothic", true);
    if (regular == NULL || bold == NULL) return 1;
    if (feed_parse_default(NULL, &feed) != FEED_OK) return 1;
    deck_build(feed, NULL, 12, 0, false, &deck);
    RUN(font_lookup_should_find_biz_ud_gothic);
    RUN(contrast_should_be_at_least_4_5_to_1_everywhere);
    RUN(every_slide_should_draw_at_every_size);
    RUN(body_rect_should_match_the_drawn_frame_at_every_size);
    RUN(every_fact_should_be_shown_or_visibly_cut);
    RUN(summary_numbers_should_share_one_size);
    RUN(emoji_should_be_drawn_in_colour_and_marks_keep_the_line);
    RUN(text_should_be_rasterised_once);
    RUN(bad_text_should_be_skipped);
    RUN(missing_font_should_fail_cleanly);
    feed_free(feed);
    free(regular);
    free(bold);
    TTF_Quit();
    font_shutdown();
    SDL_Quit();
    return CHECK_DONE();
}
