/* render_internal: what the render module's files share: render_base.c
 * (fonts, text cache, primitives, frame geometry), used by render_slides.c
 * (each slide kind) and render.c (the frame, the API). Not part of the
 * module's API: only these files include it. Main thread only. */
#ifndef MISATO_RENDER_INTERNAL_H
#define MISATO_RENDER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "feed.h"
#include "render.h"

struct rgb {
    unsigned char r, g, b;
};

/* Colours. Text/background pairs keep a contrast ratio of at least 4.5:1
 * (tests/test_render.c computes them). */
static const struct rgb C_BG = {0xF5, 0xF7, 0xFA};
static const struct rgb C_PANEL = {0xFF, 0xFF, 0xFF};
static const struct rgb C_PANEL_EDGE = {0xD3, 0xDA, 0xE3};
static const struct rgb C_TEXT = {0x1A, 0x1F, 0x26};
static const struct rgb C_TEXT_2 = {0x4A, 0x55, 0x63};
static const struct rgb C_HEADER = {0x0F, 0x35, 0x56};
static const struct rgb C_HEADER_TEXT = {0xFF, 0xFF, 0xFF};
static const struct rgb C_HEADER_TEXT_2 = {0xC9, 0xD8, 0xE8};
static const struct rgb C_FOOTER = {0xE4, 0xE9, 0xEF};
static const struct rgb C_GRID = {0xDD, 0xE2, 0xE8};
static const struct rgb C_AXIS = {0x7A, 0x86, 0x94};
static const struct rgb C_TARGET_FILL = {0xE3, 0xE8, 0xEF};
static const struct rgb C_TARGET_EDGE = {0x4A, 0x55, 0x63};
static const struct rgb C_NOW_BAND = {0xFF, 0xF4, 0xD6};
static const struct rgb C_OK = {0x1E, 0x6B, 0x45};
static const struct rgb C_OK_TEXT = {0xFF, 0xFF, 0xFF};
static const struct rgb C_NG = {0xFF, 0xE3, 0x9B};
static const struct rgb C_NG_TEXT = {0x4D, 0x33, 0x00};
static const struct rgb C_FIELD_TINT[FEED_FIELD_COUNT] = {
    {0xD5, 0xEB, 0xDF}, {0xD6, 0xE3, 0xF3}, {0xF6, 0xE1, 0xCC},
};
/* Alert levels: background and text. */
static const struct rgb C_ALERT_BG[3] = {{0x0D, 0x47, 0xA1}, {0xFF, 0xC4, 0x00}, {0xB0, 0x00, 0x20}};
static const struct rgb C_ALERT_FG[3] = {{0xFF, 0xFF, 0xFF}, {0x1A, 0x1A, 0x1A}, {0xFF, 0xFF, 0xFF}};
static const struct rgb C_FIELD[FEED_FIELD_COUNT] = {
    {0x1E, 0x6B, 0x45}, /* 住民DX: green */
    {0x1F, 0x4E, 0x8C}, /* 庁内DX: blue */
    {0x9C, 0x48, 0x00}, /* 地域DX: amber-brown */
};

/* Text textures are keyed by (text, size, weight, colour). */

#define TEXT_CACHE_SIZE 384
#define TEXT_MAX 512
#define FONT_CACHE_SIZE 48
#define FACE_SIZES 4 /* open fonts per face (face_font) */

struct text_entry {
    Uint64 hash;
    char key[TEXT_MAX + 24];
    SDL_Texture *tex; /* NULL: empty slot */
    int w, h;
    Uint64 last_used;
};

struct font_entry {
    TTF_Font *font; /* NULL: empty slot */
    int px;
    int face; /* 0 regular, 1 bold, 2 + k the fallback face k */
    Uint64 last_used;
};

/* Faces for what the main ones cannot draw (emoji, Arabic, Hebrew...),
 * found through fontconfig the first time a code point needs one. */
#define FALLBACK_FACES 8
#define FALLBACK_MEMO 128
struct fallback_memo {
    uint32_t cp;
    bool bold;
    int face; /* as in font_entry; the main face when nothing has cp */
};

struct render {
    SDL_Renderer *sdl; /* not owned */
    char *font_path[2 + FALLBACK_FACES]; /* [0] regular, [1] bold, then fallbacks (owned) */
    /* Each face's file mapped read-only (owned; NULL: not mapped yet or it
     * could not be, then SDL_ttf reads the file): FreeType reads glyphs
     * from memory instead of a seek and a read per glyph. */
    void *font_map[2 + FALLBACK_FACES];
    size_t font_map_len[2 + FALLBACK_FACES];
    size_t n_fallback;
    struct fallback_memo memo[FALLBACK_MEMO];
    size_t n_memo;
    struct font_entry fonts[FONT_CACHE_SIZE];
    struct text_entry texts[TEXT_CACHE_SIZE];
    Uint64 tick;
    size_t made;
    int w, h;   /* output size of the frame being drawn */
    float u;    /* layout unit (rd_unit_of): 1% of the height, or 1/56.25 of a narrower (portrait) width */
    bool ticker_on; /* the frame has a ticker strip above the footer */
    bool dry;       /* measure only: the primitives draw nothing (a layout's first pass) */
    struct render_trace *trace; /* tests: what is drawn is recorded here (not owned) */
    const char *block_src;      /* while rd_text_block draws: its whole string and */
    bool block_cut;             /* whether it was cut, for the trace */
    /* The ticker's cycle width for the lines of signature ticker_sig at
     * ticker_px: measured once, not on every frame (measuring CJK text made
     * FreeType read the font file again glyph by glyph: 17 ms a frame). */
    Uint64 ticker_sig;
    int ticker_px, ticker_cycle;
};

enum align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT };

/* For layout_fit's measure callback: which face to measure with. */
struct measure_ctx {
    struct render *r;
    bool bold;
};

/* Text and fonts (render_base.c). Sizes in pixels; px_of turns layout units into pixels. */
TTF_Font *rd_get_font(struct render *r, int px, bool bold);
/* Drops every text texture and closes every font (for render_free). */
void rd_caches_free(struct render *r);
int rd_measure(void *ctx, const char *text, size_t len, int px);
int rd_text_width(struct render *r, const char *text, int px, bool bold);
/* The largest size from px down to min_px at which s is at most avail wide. */
int rd_fit_px(struct render *r, const char *s, bool bold, int px, int min_px, float avail);
int rd_ascent(struct render *r, int px, bool bold);
int rd_px_of(const struct render *r, float units);

/* Drawing (render_base.c). Text functions return the width drawn; blocks the height. */
void rd_set_colour(struct render *r, struct rgb c);
void rd_fill(struct render *r, float x, float y, float w, float h, struct rgb c);
void rd_frame_rect(struct render *r, float x, float y, float w, float h, float t, struct rgb c);
int rd_text_at(struct render *r, const char *text, size_t len, int px, bool bold, struct rgb c, float x, float y,
               enum align al);
int rd_text(struct render *r, const char *s, int px, bool bold, struct rgb c, float x, float y, enum align al);
int rd_text_baseline(struct render *r, const char *s, int px, bool bold, struct rgb c, float x, float baseline,
                     enum align al);
/* Fits s into w and up to max_lines lines, from max_px down to min_px (then "…"). */
float rd_text_block(struct render *r, const char *s, float x, float y, float w, size_t max_lines, int max_px,
                    int min_px, bool bold, struct rgb c, enum align al);
/* Like rd_text_block, but keeps to one line while it can shrink to one_line_min_px. */
float rd_heading_block(struct render *r, const char *s, float x, float y, float w, size_t max_lines, int max_px,
                       int one_line_min_px, int min_px, bool bold, struct rgb c, enum align al);

/* For the trace (tests): items a "ほかN件…" line stands for are cut, not lost. */
void rd_trace_dropped(struct render *r, const char *const *items, size_t n);

/* The frame's geometry (render_base.c). rd_unit_of: the layout unit of a
 * w x h screen in pixels. */
float rd_unit_of(int w, int h);
bool rd_is_portrait(const struct render *r);
float rd_header_height(const struct render *r);
float rd_ticker_height(const struct render *r);
float rd_footer_height(const struct render *r);
float rd_footer_band(const struct render *r);
float rd_margin(const struct render *r);

/* The slide kinds (render_slides.c), each drawn between header and footer. */
void rd_draw_summary(struct render *r, const struct render_frame *f);
void rd_draw_kpi(struct render *r, const struct render_frame *f, const struct feed_measure *m);
void rd_draw_detail(struct render *r, const struct render_frame *f, const struct feed_measure *m);
void rd_draw_roadmap(struct render *r, const struct render_frame *f, int field);
void rd_draw_image_slide(struct render *r, const struct render_frame *f, const char *caption);
void rd_draw_announcement(struct render *r, const struct render_frame *f, const struct feed_announcement *a);
/* The urgent alert takes the whole screen. */
void rd_draw_alert(struct render *r, const struct render_frame *f, const struct feed_alert *al);

#endif
