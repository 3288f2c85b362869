/* layout: Japanese-aware line breaking and text fitting. Break opportunities
 * come from libunibreak (UAX #14 with the "ja" tailoring, so no line starts
 * with 。、」 and the like); widths come from a measuring callback, so the
 * module is pure and testable without a font. */
#ifndef MISATO_LAYOUT_H
#define MISATO_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

/* Width in pixels of text[0..len) at font size px. */
typedef int (*layout_measure_fn)(void *ctx, const char *text, size_t len, int px);

struct layout_line {
    size_t start, len; /* byte range in the laid-out text */
    int width;
};

#define LAYOUT_MAX_LINES 16
#define LAYOUT_MAX_TEXT 2048

/* A fitted block of text. `text` is the input, or, when it was cut, the
 * input's kept part followed by "…"; the lines index into it. */
struct layout_block {
    char text[LAYOUT_MAX_TEXT + 4];
    int px;
    size_t n_lines;
    struct layout_line lines[LAYOUT_MAX_LINES];
    bool cut;      /* ellipsis added */
    int width;     /* widest line */
};

/* Call once before any other layout function (libunibreak's tables). */
void layout_init(void);

/* Breaks valid UTF-8 `text` into lines no wider than max_width (a single
 * character wider than that gets a line of its own). Writes at most
 * max_lines lines; returns the number the whole text needs, or
 * max_lines + 1 when it needs more (counting stops there). */
size_t layout_break_lines(const char *text, int px, int max_width, layout_measure_fn measure,
                          void *ctx, struct layout_line *lines, size_t max_lines);

/* Finds the largest size from max_px down to min_px (stepping ~4%) at which
 * text fits in max_lines lines of max_width; at min_px it keeps what fits
 * and ends the last line with "…". Text longer than LAYOUT_MAX_TEXT bytes is
 * cut. Returns false only for invalid input (bad UTF-8, bad sizes). */
bool layout_fit(const char *text, int max_width, size_t max_lines, int max_px, int min_px,
                layout_measure_fn measure, void *ctx, struct layout_block *out);

#endif
