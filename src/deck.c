/* deck: slide selection and order, and the alert (pure). */
#include "deck.h"

#include <stdio.h>
#include <string.h>

#include "feed.h"

static struct slide *add(struct deck *deck, enum slide_kind kind, size_t item, int seconds) {
    if (deck->n >= DECK_MAX_SLIDES) return NULL;
    struct slide *s = &deck->slides[deck->n++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->item = item;
    s->seconds = seconds;
    return s;
}

/* The latest year with both an actual and a target, or 0. */
static int paired_year(const struct feed_measure *m) {
    for (int y = FEED_FY_COUNT - 1; y >= 0; y--)
        if (m->actuals.has[y] && m->targets.has[y]) return FEED_FY_FIRST + y;
    return 0;
}

size_t deck_headlines(const struct feed *feed, size_t out[DECK_MAX_HEADLINES]) {
    size_t n = 0;
    for (size_t i = 0; i < feed->n_measures && n < DECK_MAX_HEADLINES; i++)
        if (feed->measures[i].headline && feed_measure_has_numbers(&feed->measures[i])) out[n++] = i;
    if (n) return n;
    for (int field = 0; field < FEED_FIELD_COUNT; field++)
        for (size_t i = 0; i < feed->n_measures && n < DECK_MAX_HEADLINES; i++)
            if ((int)feed->measures[i].field == field && paired_year(&feed->measures[i])) out[n++] = i;
    return n;
}

void deck_build(const struct feed *feed, int slide_seconds, time_t now, bool clock_ok,
                struct deck *deck) {
    deck->n = 0;
    struct slide *s;
    size_t heads[DECK_MAX_HEADLINES];
    if (deck_headlines(feed, heads) > 0 && (s = add(deck, SLIDE_SUMMARY, 0, slide_seconds)))
        snprintf(s->id, sizeof s->id, "summary");

    for (int field = 0; field < FEED_FIELD_COUNT; field++)
        for (size_t i = 0; i < feed->n_measures; i++) {
            const struct feed_measure *m = &feed->measures[i];
            if ((int)m->field != field || !feed_measure_has_numbers(m)) continue;
            if ((s = add(deck, SLIDE_KPI, i, slide_seconds))) snprintf(s->id, sizeof s->id, "kpi-%s", m->id);
        }

    /* Announcements valid now, high priority first; they stay a little
     * longer, since they have more to read. */
    for (int pr = FEED_PRIORITY_HIGH; pr >= FEED_PRIORITY_LOW; pr--)
        for (size_t i = 0; i < feed->n_announcements; i++) {
            const struct feed_announcement *a = &feed->announcements[i];
            if ((int)a->priority != pr || (clock_ok && !feed_valid_at(&a->valid, now))) continue;
            if ((s = add(deck, SLIDE_ANNOUNCEMENT, i, slide_seconds + slide_seconds / 2)))
                snprintf(s->id, sizeof s->id, "news-%zu", a->source_index);
        }

    /* The roadmap, one slide per field so that every row stays legible. */
    for (int field = 0; field < FEED_FIELD_COUNT; field++) {
        bool any = false;
        for (size_t i = 0; i < feed->n_measures; i++) any |= (int)feed->measures[i].field == field;
        if (any && (s = add(deck, SLIDE_ROADMAP, (size_t)field, slide_seconds + slide_seconds / 2)))
            snprintf(s->id, sizeof s->id, "roadmap-%d", field + 1);
    }

    for (int field = 0; field < FEED_FIELD_COUNT; field++)
        for (size_t i = 0; i < feed->n_measures; i++) {
            const struct feed_measure *m = &feed->measures[i];
            if ((int)m->field != field || feed_measure_has_numbers(m)) continue;
            if ((s = add(deck, SLIDE_DETAIL, i, slide_seconds)))
                snprintf(s->id, sizeof s->id, "detail-%s", m->id);
        }
}

const struct feed_alert *deck_alert(const struct feed *feed, time_t now, bool clock_ok) {
    const struct feed_alert *a = &feed->alert;
    if (!a->present) return NULL;
    if (clock_ok && !feed_valid_at(&a->valid, now)) return NULL;
    return a;
}

int deck_find(const struct deck *deck, const char *id) {
    for (size_t i = 0; i < deck->n; i++)
        if (strcmp(deck->slides[i].id, id) == 0) return (int)i;
    return -1;
}
