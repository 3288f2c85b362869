/* Unit tests for deck: which slides, in which order. */
#include <stdlib.h>

#include "check.h"
#include "deck.h"
#include "feed.h"
#include "util.h"

static void default_plan_should_give_one_kpi_slide_per_measure_with_numbers(void) {
    struct feed *f = NULL;
    CHECK_INT(feed_parse_default(NULL, &f), FEED_OK);
    if (f == NULL) return;
    struct deck *d = malloc(sizeof *d);
    deck_build(f, 12, 0, d);
    static const char *const want[] = {"kpi-1-1", "kpi-1-2", "kpi-1-3", "kpi-1-6",
                                       "kpi-1-8", "kpi-3-1", "kpi-3-2"};
    CHECK_INT(d->n, ARRAY_LEN(want));
    for (size_t i = 0; i < d->n && i < ARRAY_LEN(want); i++) {
        CHECK_STR(d->slides[i].id, want[i]);
        CHECK_INT(d->slides[i].kind, SLIDE_KPI);
        CHECK_INT(d->slides[i].seconds, 12);
        CHECK_STR(f->measures[d->slides[i].measure].id, want[i] + 4);
    }
    CHECK_INT(deck_find(d, "kpi-3-1"), 5);
    CHECK_INT(deck_find(d, "kpi-2-1"), -1);
    free(d);
    feed_free(f);
}

static void slides_should_be_ordered_by_field(void) {
    const char *json =
        "{\"schema_version\":1,\"measures\":["
        "{\"id\":\"3-2\",\"name\":\"c\",\"field\":\"地域DX\",\"metric\":{\"name\":\"m\"},"
        "\"targets\":{\"R6\":1}},"
        "{\"id\":\"2-1\",\"name\":\"b\",\"field\":\"庁内DX\",\"metric\":{\"name\":\"m\"},"
        "\"actuals\":{\"R6\":1}},"
        "{\"id\":\"1-1\",\"name\":\"a\",\"field\":\"住民DX\",\"metric\":{\"name\":\"m\"},"
        "\"targets\":{\"R6\":1}},"
        "{\"id\":\"1-2\",\"name\":\"no numbers\",\"field\":\"住民DX\"}]}";
    struct feed *f = NULL;
    CHECK(feed_parse(json, strlen(json), NULL, &f) <= FEED_PROBLEMS);
    if (f == NULL) return;
    struct deck *d = malloc(sizeof *d);
    deck_build(f, 7, 0, d);
    CHECK_INT(d->n, 3);
    CHECK_STR(d->slides[0].id, "kpi-1-1");
    CHECK_STR(d->slides[1].id, "kpi-2-1");
    CHECK_STR(d->slides[2].id, "kpi-3-2");
    CHECK_INT(d->slides[0].seconds, 7);
    free(d);
    feed_free(f);
}

int main(void) {
    RUN(default_plan_should_give_one_kpi_slide_per_measure_with_numbers);
    RUN(slides_should_be_ordered_by_field);
    return CHECK_DONE();
}
