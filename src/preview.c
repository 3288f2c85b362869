/* preview: the headless render (--render DIR, --sheet FILE): every slide
 * of the deck as a PNG, drawn by SDL's software renderer with no display,
 * exactly as the lobby screen draws it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>

#include "app.h"
#include "clock.h"
#include "app_internal.h"
#include "deck.h"
#include "fetch.h"
#include "file.h"
#include "fmt.h"
#include "image.h"
#include "layout.h"
#include "log.h"
#include "render.h"
#include "utf8.h"

/* Draws text wrapped to lines about `width` pixels wide (a full-width
 * character counted as px, others as half of it); returns the y below it.
 * Never more than max_lines lines (the last then ends with "…"). */
static int draw_wrapped(struct render *r, const char *text, int px, bool bold, int x, int y,
                        int width, int max_lines) {
    char line[1024];
    const char *p = text;
    int budget = 10 * width / (px > 0 ? px : 1); /* tenths of an em */
    for (int n = 0; *p && n < max_lines; n++) {
        size_t o = 0, space = 0; /* where the last space of the line is */
        const char *after_space = NULL;
        int used = 0;
        while (*p && *p != '\n' && o + 8 < sizeof line) {
            const char *q = p;
            uint32_t cp = utf8_next(&q);
            int cost = cp < 0x2E80 ? 6 : 10;
            if (q == p || used + cost > budget) {
                /* Latin words are not cut: the line ends at its last space. */
                if (cp > ' ' && cp < 0x80 && after_space) o = space, p = after_space;
                break;
            }
            memcpy(line + o, p, (size_t)(q - p));
            o += (size_t)(q - p), p = q, used += cost;
            if (cp == ' ') space = o - 1, after_space = p;
        }
        if (n == max_lines - 1 && *p && *p != '\n' && o + 4 < sizeof line) {
            memcpy(line + o, "…", 3);
            o += 3;
        }
        line[o] = '\0';
        if (*p == '\n') p++;
        render_label(r, line, px, bold, x, y);
        y += px * 14 / 10;
    }
    return y;
}

/* A preview of a feed that cannot be shown: one image that says so, what
 * is wrong, and what the screens show instead (#13 item 7). */
static void draw_feed_refused(struct app *a, const struct app_options *opt, SDL_Renderer *sr,
                              struct render *r, int w, int h) {
    int u = (w < h ? w : h) / 100, m = w / 25, tw = w - 2 * m;
    if (u < 2) u = 2;
    SDL_SetRenderDrawColor(sr, 0xFF, 0xF4, 0xE5, 255);
    SDL_RenderClear(sr);
    SDL_Rect bar = {0, 0, w, u * 3};
    SDL_SetRenderDrawColor(sr, 0xB0, 0x00, 0x20, 255);
    SDL_RenderFillRect(sr, &bar);
    int px = u * 3, y = u * 6;
    y = draw_wrapped(r, "このフィードは表示できません", u * 6, true, m, y, tw, 2);
    y = draw_wrapped(r, "This feed cannot be shown (preview of an unusable feed)", px, false, m, y,
                     tw, 2) + u;
    char line[1400];
    snprintf(line, sizeof line, "ファイル / feed: %s", opt->feed_path ? opt->feed_path : opt->feed_url);
    y = draw_wrapped(r, line, px, false, m, y, tw, 2) + u;
    const struct feed_report *rep = a->feed_refused_report;
    int bottom = h - px * 9;
    if (a->feed_refused_why[0]) y = draw_wrapped(r, a->feed_refused_why, px, true, m, y, tw, 3) + u;
    size_t shown = 0;
    for (; rep && shown < rep->count && shown < 5 && y < bottom - px * 4; shown++) {
        snprintf(line, sizeof line, "%s: %s", rep->items[shown].path, rep->items[shown].ja);
        y = draw_wrapped(r, line, px, true, m, y, tw, 3) + u;
    }
    /* How to save as UTF-8 (not the caret under a line: the font is not monospaced). */
    if (rep && rep->detail[0] && !strstr(rep->detail, " | ") && y < bottom - px * 6)
        y = draw_wrapped(r, rep->detail, px * 4 / 5, false, m, y, tw, 6) + u;
    if (rep && rep->count + rep->omitted > shown) {
        snprintf(line, sizeof line, "… ほか %zu 件 (%zu more)", rep->count + rep->omitted - shown,
                 rep->count + rep->omitted - shown);
        render_label(r, line, px, false, m, y);
    }
    y = bottom;
    y = draw_wrapped(r, "公開しても使われません。ロビーの画面には、前の正しいデータが表示され続けます。",
                     px, true, m, y, tw, 3);
    y = draw_wrapped(r, "If published, it is refused: the screens keep showing the last good data.",
                     px, false, m, y, tw, 2);
    draw_wrapped(r, "詳しくは / details: misato-signage --validate <file>", px, false, m, y, tw, 2);
}

/* Writes s to path under a temporary name and renames it, so a reader
 * never sees half a PNG; prints the path. False (logged) when it cannot. */
static bool save_png(SDL_Surface *s, const char *path) {
    char tmp[4112];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (IMG_SavePNG(s, tmp) != 0 || rename(tmp, path) != 0) {
        LOG(LOG_ERROR, "%s: cannot write: %s", path, SDL_GetError());
        unlink(tmp);
        return false;
    }
    printf("%s\n", path);
    return true;
}

/* Writes the refusal image to render_dir/00-feed-error.png and sheet_path. */
static int render_refused(struct app *a, const struct app_options *opt, SDL_Surface *surface,
                          SDL_Renderer *sr, struct render *r) {
    draw_feed_refused(a, opt, sr, r, surface->w, surface->h);
    SDL_RenderPresent(sr);
    char path[4096];
    if (opt->render_dir) {
        snprintf(path, sizeof path, "%s/00-feed-error.png", opt->render_dir);
        if (!save_png(surface, path)) return APP_EXIT_ERROR;
    }
    if (opt->sheet_path && !save_png(surface, opt->sheet_path)) return APP_EXIT_ERROR;
    LOG(LOG_ERROR, "%s: the feed cannot be shown; the preview says so (exit 2)",
        opt->feed_path ? opt->feed_path : opt->feed_url);
    return APP_EXIT_UNUSABLE;
}

/* The contact sheet: thumbnails 480 px wide, four to a row, numbered. */
#define SHEET_COLS 4
#define SHEET_TW 480
#define SHEET_GAP 24
#define SHEET_LABEL 40
#define SHEET_HEAD 110

/* One software renderer on one surface, with its own text cache. */
struct canvas {
    SDL_Surface *surface;
    SDL_Renderer *sr;
    struct render *r;
};

static bool canvas_open(struct canvas *c, int w, int h, char *const font_path[2]) {
    c->surface = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    c->sr = c->surface ? SDL_CreateSoftwareRenderer(c->surface) : NULL;
    c->r = c->sr ? render_new(c->sr, font_path[0], font_path[1]) : NULL;
    return c->r != NULL;
}

static void canvas_close(struct canvas *c) {
    render_free(c->r);
    if (c->sr) SDL_DestroyRenderer(c->sr);
    SDL_FreeSurface(c->surface);
}

/* The sheet's background and title, for count slides of w x h. */
static bool sheet_open(struct app *a, struct canvas *sheet, size_t count, int w, int h) {
    int th = SHEET_TW * h / w, rows = (int)((count + SHEET_COLS - 1) / SHEET_COLS);
    if (!canvas_open(sheet, SHEET_COLS * SHEET_TW + (SHEET_COLS + 1) * SHEET_GAP,
                     SHEET_HEAD + rows * (th + SHEET_LABEL + SHEET_GAP) + SHEET_GAP, a->font_path)) {
        LOG(LOG_ERROR, "cannot set up the contact sheet: %s", SDL_GetError());
        return false;
    }
    SDL_SetRenderDrawColor(sheet->sr, 0xE4, 0xE9, 0xEF, 255);
    SDL_RenderClear(sheet->sr);
    struct render_frame f0;
    app_frame_for(a, 0, &f0);
    char title[256], when[64];
    fmt_seireki_datetime(when, sizeof when, &f0.now);
    snprintf(title, sizeof title, "%s サイネージの確認 (preview) — %s の表示、%zu 枚", a->cfg.town_name, when,
             count);
    render_label(sheet->r, title, 40, true, SHEET_GAP, 30);
    return true;
}

/* Puts the slide just drawn on c into the sheet's cell, with its label. */
static void sheet_add(struct canvas *sheet, const struct canvas *c, size_t cell, const char *id, size_t k) {
    int th = SHEET_TW * c->surface->h / c->surface->w;
    int cx = SHEET_GAP + (int)(cell % SHEET_COLS) * (SHEET_TW + SHEET_GAP);
    int cy = SHEET_HEAD + (int)(cell / SHEET_COLS) * (th + SHEET_LABEL + SHEET_GAP);
    SDL_SetHint(SDL_HINT_RENDER_SCALE_QUALITY, "linear");
    SDL_Texture *t = SDL_CreateTextureFromSurface(sheet->sr, c->surface);
    SDL_Rect dst = {cx, cy, SHEET_TW, th};
    if (t) SDL_RenderCopy(sheet->sr, t, NULL, &dst);
    SDL_DestroyTexture(t);
    char lab[96];
    snprintf(lab, sizeof lab, "%02zu  %s", k, id);
    render_label(sheet->r, lab, 24, false, cx, cy + th + 6);
}

/* Draws slide k of the deck on c (k = 0: the alert over the first slide),
 * its picture decoded here, synchronously. */
static void draw_slide(struct app *a, struct canvas *c, size_t k) {
    size_t i = k ? k - 1 : 0;
    struct render_frame f;
    app_frame_for(a, i, &f);
    if (k) f.alert = NULL;
    SDL_Texture *pic = NULL;
    const char *pic_path = k ? deck_slide_picture(a->feed, &a->pics, &a->deck.slides[i]) : NULL;
    if (pic_path) {
        char why[256] = "";
        SDL_Surface *ps = image_decode(pic_path, c->surface->w, c->surface->h, why, sizeof why);
        if (ps == NULL) LOG(LOG_WARN, "%s: picture not shown: %s", pic_path, why);
        pic = ps ? SDL_CreateTextureFromSurface(c->sr, ps) : NULL;
        SDL_FreeSurface(ps);
        f.image = pic;
        f.image_missing = pic == NULL;
    } else if (k) {
        f.image_missing = true;
    }
    render_draw(c->r, &f);
    render_ticker(c->r, &f, 0);
    SDL_DestroyTexture(pic);
    SDL_RenderPresent(c->sr);
}

/* Every slide (an alert active at that moment first, as 00-alert.png) to
 * render_dir and/or the contact sheet. */
static int render_deck(struct app *a, const struct app_options *opt, struct canvas *c) {
    bool alert = deck_alert(a->feed, app_now(a), clock_plausible(app_now(a))) != NULL;
    size_t count = a->deck.n + (alert ? 1 : 0);
    struct canvas sheet = {0};
    int rc = APP_EXIT_ERROR;
    if (opt->sheet_path && !sheet_open(a, &sheet, count, c->surface->w, c->surface->h)) goto done;
    for (size_t k = alert ? 0 : 1; k <= a->deck.n; k++) {
        draw_slide(a, c, k);
        const char *id = k ? a->deck.slides[k - 1].id : "alert";
        if (sheet.r) sheet_add(&sheet, c, alert ? k : k - 1, id, k);
        if (opt->render_dir == NULL) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%02zu-%s.png", opt->render_dir, k, id);
        if (!save_png(c->surface, path)) goto done;
    }
    if (sheet.r) {
        SDL_RenderPresent(sheet.sr);
        if (!save_png(sheet.surface, opt->sheet_path)) goto done;
    }
    rc = APP_EXIT_OK;
done:
    canvas_close(&sheet);
    return rc;
}

int app_render(const struct app_options *opt) {
    struct app a = {0};
    fetch_global_init();
    int rc = app_load(&a, opt);
    struct canvas c = {0};
    if (rc != APP_EXIT_OK) goto done;
    rc = APP_EXIT_ERROR;
    if (opt->render_dir && !file_mkdir_p(opt->render_dir)) {
        LOG(LOG_ERROR, "%s: cannot create the folder: %s", opt->render_dir, strerror(errno));
        goto done;
    }
    if (TTF_Init() != 0) {
        LOG(LOG_ERROR, "SDL_ttf: %s", TTF_GetError());
        goto done;
    }
    layout_init();
    if (!canvas_open(&c, opt->width ? opt->width : 1920, opt->height ? opt->height : 1080, a.font_path)) {
        LOG(LOG_ERROR, "cannot set up the software renderer: %s", SDL_GetError());
        goto done;
    }
    /* A preview of a feed that cannot be shown says so. */
    rc = a.feed_refused ? render_refused(&a, opt, c.surface, c.sr, c.r) : render_deck(&a, opt, &c);
done:
    canvas_close(&c);
    if (TTF_WasInit()) TTF_Quit();
    app_unload(&a);
    SDL_Quit();
    fetch_global_cleanup();
    return rc;
}
