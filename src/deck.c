/* deck: slide selection and order (pure). */
#include "deck.h"

#include <stdio.h>
#include <string.h>

#include "feed.h"

void deck_build(const struct feed *feed, int slide_seconds, time_t now, struct deck *deck) {
    (void)now; /* validity dates and day-parting arrive with the schedule */
    deck->n = 0;
    for (int field = 0; field < FEED_FIELD_COUNT; field++) {
        for (size_t i = 0; i < feed->n_measures && deck->n < DECK_MAX_SLIDES; i++) {
            const struct feed_measure *m = &feed->measures[i];
            if ((int)m->field != field || !feed_measure_has_numbers(m)) continue;
            struct slide *s = &deck->slides[deck->n++];
            memset(s, 0, sizeof *s);
            s->kind = SLIDE_KPI;
            s->measure = i;
            s->seconds = slide_seconds;
            snprintf(s->id, sizeof s->id, "kpi-%s", m->id);
        }
    }
}

int deck_find(const struct deck *deck, const char *id) {
    for (size_t i = 0; i < deck->n; i++)
        if (strcmp(deck->slides[i].id, id) == 0) return (int)i;
    return -1;
}
