/* Fuzz target for the text path, where a flag emoji once aborted the player
 * (Debian 12's libunibreak asserts on regional indicators): any bytes ->
 * the UTF-8 check -> line breaking and fitting (layout) with the real font's
 * widths -> rasterising, at several sizes and widths; and, as a feed would
 * carry it, the same text as an announcement, an alert, a ticker line and a
 * measure name, drawn as slides by the real renderer into a surface. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_ttf.h>
#include <cjson/cJSON.h>

#include "deck.h"
#include "feed.h"
#include "font.h"
#include "layout.h"
#include "render.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct {
    bool ready;
    TTF_Font *font[3];
    SDL_Surface *surface;
    SDL_Renderer *sdl;
    struct render *render;
} g;

static const int sizes[3] = {9, 31, 96};

static void teardown(void) {
    render_free(g.render);
    if (g.sdl) SDL_DestroyRenderer(g.sdl);
    SDL_FreeSurface(g.surface);
    for (int i = 0; i < 3; i++) TTF_CloseFont(g.font[i]);
    TTF_Quit();
    font_shutdown();
    SDL_Quit();
}

static void setup(void) {
    if (g.ready) return;
    g.ready = true;
    atexit(teardown);
    SDL_SetHint(SDL_HINT_VIDEODRIVER, "offscreen");
    if (TTF_Init() != 0) abort();
    layout_init();
    char *regular = font_find("BIZ UDPGothic", false), *bold = font_find("BIZ UDPGothic", true);
    if (regular == NULL || bold == NULL) abort();
    for (int i = 0; i < 3; i++)
        if ((g.font[i] = TTF_OpenFont(regular, sizes[i])) == NULL) abort();
    g.surface = SDL_CreateRGBSurfaceWithFormat(0, 320, 180, 32, SDL_PIXELFORMAT_ARGB8888);
    g.sdl = g.surface ? SDL_CreateSoftwareRenderer(g.surface) : NULL;
    g.render = g.sdl ? render_new(g.sdl, regular, bold) : NULL;
    if (g.render == NULL) abort();
    free(regular);
    free(bold);
}

static int measure(void *ctx, const char *text, size_t len, int px) {
    (void)px;
    TTF_Font *f = ctx;
    char buf[LAYOUT_MAX_TEXT + 8];
    if (len > LAYOUT_MAX_TEXT + 4) len = LAYOUT_MAX_TEXT + 4;
    memcpy(buf, text, len);
    buf[len] = '\0';
    int w = 0, h = 0;
    TTF_SizeUTF8(f, buf, &w, &h);
    return w;
}

/* The text on its own: layout and rasterising. */
static void text_alone(const char *s) {
    static struct layout_block b;
    static const int widths[] = {1, 60, 900};
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 3; k++) {
            if (!layout_fit(s, widths[k], 1 + (size_t)k * 3, sizes[i], sizes[i] > 12 ? sizes[i] / 2 : sizes[i],
                            measure, g.font[i], &b))
                abort(); /* valid UTF-8 is always laid out */
            for (size_t l = 0; l < b.n_lines; l++) {
                const struct layout_line *ln = &b.lines[l];
                if (ln->start + ln->len > strlen(b.text)) abort();
                char line[LAYOUT_MAX_TEXT + 8];
                memcpy(line, b.text + ln->start, ln->len);
                line[ln->len] = '\0';
                if (!utf8_valid(line, ln->len)) abort(); /* no line splits a character */
                SDL_Color c = {0, 0, 0, 255};
                SDL_Surface *t = ln->len ? TTF_RenderUTF8_Blended(g.font[i], line, c) : NULL;
                SDL_FreeSurface(t);
            }
        }
    }
}

/* The text where staff would type it, through feed, deck and renderer. */
static void text_in_a_feed(const char *s) {
    cJSON *root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "schema_version", 1);
    cJSON *ms = cJSON_AddArrayToObject(root, "measures");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "id", "1-1");
    cJSON_AddStringToObject(m, "name", s);
    cJSON_AddStringToObject(m, "field", "住民DX");
    cJSON *metric = cJSON_AddObjectToObject(m, "metric");
    cJSON_AddStringToObject(metric, "name", s);
    cJSON_AddStringToObject(metric, "unit", "件");
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(m, "targets"), "R6", 10);
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(m, "actuals"), "R6", 7);
    cJSON_AddItemToArray(ms, m);
    cJSON *an = cJSON_CreateObject();
    cJSON_AddStringToObject(an, "title", s);
    cJSON_AddStringToObject(an, "body", s);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "announcements"), an);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "ticker"), cJSON_CreateString(s));
    cJSON *al = cJSON_AddObjectToObject(root, "alert");
    cJSON_AddStringToObject(al, "level", "emergency");
    cJSON_AddStringToObject(al, "title", s);
    cJSON_AddStringToObject(al, "text", s);
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (json == NULL) return;
    static struct feed_report rep;
    struct feed *f = NULL;
    feed_parse(json, strlen(json), &rep, &f);
    free(json);
    if (f == NULL) return; /* too long for a field, say: refused, fine */
    static struct deck d;
    time_t now = 1795000000; /* 2026-11 */
    deck_build(f, NULL, 10, now, true, &d);
    const char *ticker[1] = {s};
    for (size_t i = 0; i < d.n; i++) {
        struct render_frame fr = {0};
        localtime_r(&now, &fr.now);
        fr.town_name = s;
        fr.feed = f;
        fr.deck = &d;
        fr.index = i;
        fr.ticker = ticker;
        fr.n_ticker = 1;
        fr.image_missing = true;
        render_draw(g.render, &fr);
        render_ticker(g.render, &fr, (double)i * 37.0);
    }
    struct render_frame fr = {0};
    localtime_r(&now, &fr.now);
    fr.town_name = s;
    fr.feed = f;
    fr.deck = &d;
    fr.alert = deck_alert(f, now, true);
    if (fr.alert) render_draw(g.render, &fr);
    render_toast(g.render, s, true);
    render_label(g.render, s, 20, true, 0, 0);
    render_flush_textures(g.render);
    feed_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    if (size > 1024) return 0; /* longer text is cut at LAYOUT_MAX_TEXT anyway */
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    if (utf8_valid(s, size)) {
        text_alone(s);
        text_in_a_feed(s);
    }
    free(s);
    return 0;
}

#include "fuzz_replay.h"
