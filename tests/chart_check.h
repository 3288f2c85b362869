/* chart_check: the rule the chart layout keeps, checked on its own boxes:
 * no two texts meet, no bar covers a text, and every text lies inside the
 * chart's box. Returns the number of problems, each printed with `what`. */
#ifndef MISATO_CHART_CHECK_H
#define MISATO_CHART_CHECK_H

#include <stdio.h>

#include "chart.h"

static int chart_problems(const struct chart_layout *l, const struct chart_box *area, const char *what) {
    int bad = 0;
    for (size_t i = 0; i < l->n_texts; i++) {
        const struct chart_text *a = &l->texts[i];
        const struct chart_box *b = &a->box;
        if (b->x < area->x - 0.5f || b->y < area->y - 0.5f || b->x + b->w > area->x + area->w + 0.5f ||
            b->y + b->h > area->y + area->h + 0.5f) {
            fprintf(stderr, "  %s: 「%s」 sticks out of the chart (%.1f,%.1f %.1fx%.1f in %.1f,%.1f %.1fx%.1f)\n", what,
                    a->s, b->x, b->y, b->w, b->h, area->x, area->y, area->w, area->h);
            bad++;
        }
        for (size_t j = i + 1; j < l->n_texts; j++)
            if (chart_boxes_meet(b, &l->texts[j].box)) {
                fprintf(stderr, "  %s: 「%s」 and 「%s」 overlap (%.1f,%.1f %.1fx%.1f / %.1f,%.1f %.1fx%.1f)\n", what, a->s,
                        l->texts[j].s, b->x, b->y, b->w, b->h, l->texts[j].box.x, l->texts[j].box.y, l->texts[j].box.w,
                        l->texts[j].box.h);
                bad++;
            }
        for (size_t j = 0; j < l->n_rects; j++) {
            const struct chart_rect *r = &l->rects[j];
            if ((r->kind == CHART_BAR_TARGET || r->kind == CHART_BAR_ACTUAL || r->kind == CHART_KEY_TARGET ||
                 r->kind == CHART_KEY_ACTUAL) &&
                r->box.h > 0 && chart_boxes_meet(b, &r->box)) {
                fprintf(stderr, "  %s: a bar covers 「%s」\n", what, a->s);
                bad++;
            }
        }
    }
    return bad;
}

#endif
