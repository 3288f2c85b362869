/* chart: the KPI slide's bar chart of target against actual by fiscal
 * year, laid out as boxes: the title and legend, the axis and its grid,
 * the bars, the value labels over them and the year labels under them.
 * Pure (sizes come from a measuring callback), so a test can check with
 * the layout's own boxes that no two texts meet and no bar covers a text;
 * render draws exactly these boxes. */
#ifndef MISATO_CHART_H
#define MISATO_CHART_H

#include <stdbool.h>
#include <stddef.h>

struct feed_measure;

/* Width (returned) and height (*h, the line's box) of s at size px. */
typedef int (*chart_measure_fn)(void *ctx, const char *s, int px, bool bold, int *h);

#define CHART_MAX_YEARS 12

/* The series to draw: fiscal years lo..hi (at most CHART_MAX_YEARS). */
struct chart_series {
    int lo, hi, current_fy;
    bool has_t[CHART_MAX_YEARS], has_a[CHART_MAX_YEARS];
    double t[CHART_MAX_YEARS], a[CHART_MAX_YEARS];
    const char *unit; /* not owned; may be NULL */
};

/* The years a measure's chart shows: from the first year with data (or
 * this year when that is near) to the last, at most 12. n is 0 (lo = 0)
 * when the measure has no numbers. */
void chart_series_of(const struct feed_measure *m, int current_fy, struct chart_series *out);

enum chart_text_kind { CHART_TITLE, CHART_LEGEND, CHART_AXIS, CHART_TARGET, CHART_ACTUAL, CHART_YEAR };
enum chart_rect_kind {
    CHART_BAND,       /* this year's column (behind everything) */
    CHART_GRID,       /* a grid line; CHART_BASE the zero line */
    CHART_BASE,
    CHART_BAR_TARGET, /* outlined */
    CHART_BAR_ACTUAL, /* filled in the field's colour */
    CHART_KEY_TARGET, /* the legend's swatches */
    CHART_KEY_ACTUAL,
};

struct chart_box {
    float x, y, w, h;
};

struct chart_text {
    enum chart_text_kind kind;
    char s[104]; /* a value and a unit of 8 characters, or the title with its unit */
    int px;
    bool bold;
    bool secondary;       /* the lighter text colour */
    struct chart_box box; /* drawn with its top-left at box.x, box.y */
};

struct chart_rect {
    enum chart_rect_kind kind;
    struct chart_box box;
};

#define CHART_MAX_TEXTS 80
#define CHART_MAX_RECTS 64

struct chart_layout {
    size_t n_texts, n_rects;
    struct chart_text texts[CHART_MAX_TEXTS];
    struct chart_rect rects[CHART_MAX_RECTS];
};

/* Lays the chart out in the box x, y, w, h with layout unit u (pixels per
 * 1% of the screen's height); portrait charts are narrow and short (one
 * line of year labels, "今年度" for this year). Value labels are never cut:
 * they shrink to their column (to 2u), and where two would meet, or a bar
 * would cover one, they stack above the taller bar; the axis grows until
 * the stack fits under the title. Returns false when the box is too small
 * for any chart (out then holds the title and legend only). */
bool chart_lay_out(const struct chart_series *s, float x, float y, float w, float h, float u, bool portrait,
                   chart_measure_fn measure, void *ctx, struct chart_layout *out);

/* True when boxes a and b overlap (touching edges do not). */
bool chart_boxes_meet(const struct chart_box *a, const struct chart_box *b);

#endif
