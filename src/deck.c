/* deck: slide selection and order, and the alert (pure). */
#include "deck.h"

#include <stdio.h>
#include <string.h>

#include "cache.h"
#include "feed.h"
#include "media.h"

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

/* Where the cache holds feed->media[i], or NULL. */
static const char *feed_picture(const struct feed *feed, const struct deck_pictures *pics, size_t i) {
    if (pics == NULL || pics->feed == NULL || i >= feed->n_media || i >= pics->feed->n) return NULL;
    return pics->feed->path[i];
}

/* The pictures: the feed's that are on disk and that no announcement
 * shows, then media_dir's. */
static void add_pictures(struct deck *deck, const struct feed *feed, const struct deck_pictures *pics,
                         int slide_seconds, time_t now, bool clock_ok) {
    struct slide *s;
    for (size_t i = 0; i < feed->n_media; i++) {
        const struct feed_media *md = &feed->media[i];
        if (!feed_picture(feed, pics, i) || (clock_ok && !feed_valid_at(&md->valid, now))) continue;
        bool used = false;
        for (size_t k = 0; k < feed->n_announcements; k++)
            used |= feed->announcements[k].image && !strcmp(feed->announcements[k].image, md->id);
        if (!used && (s = add(deck, SLIDE_IMAGE, i, md->seconds ? md->seconds : slide_seconds)))
            snprintf(s->id, sizeof s->id, "image-%s", md->id);
    }
    const struct media_set *set = pics ? pics->local : NULL;
    for (size_t i = 0; set && i < set->n; i++) {
        const struct media_item *it = &set->items[i];
        if (clock_ok && !feed_valid_at(&it->valid, now)) continue;
        if ((s = add(deck, SLIDE_LOCAL_IMAGE, i, it->seconds ? it->seconds : slide_seconds)))
            snprintf(s->id, sizeof s->id, "image-local-%zu", i + 1);
    }
}

void deck_build(const struct feed *feed, const struct deck_pictures *pics, int slide_seconds,
                time_t now, bool clock_ok, struct deck *deck) {
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
            if (clock_ok) { /* day-parting */
                struct tm tm;
                localtime_r(&now, &tm);
                int m = tm.tm_hour * 60 + tm.tm_min;
                if (!(a->days & (1u << tm.tm_wday)) || m < a->hours_from || m >= a->hours_until)
                    continue;
            }
            if ((s = add(deck, SLIDE_ANNOUNCEMENT, i, a->seconds ? a->seconds : slide_seconds + slide_seconds / 2)))
                snprintf(s->id, sizeof s->id, "news-%zu", a->source_index);
        }

    add_pictures(deck, feed, pics, slide_seconds, now, clock_ok);

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

void deck_hours_always(struct deck_hours *h) {
    memset(h, 0, sizeof *h);
    h->start_min = 0;
    h->end_min = 24 * 60;
    h->days = 0x7F;
}

static bool day_open(const struct deck_hours *h, const struct tm *tm) {
    if (!(h->days & (1u << tm->tm_wday))) return false;
    int ymd = (tm->tm_year + 1900) * 10000 + (tm->tm_mon + 1) * 100 + tm->tm_mday;
    for (int i = 0; i < h->n_holidays; i++)
        if (h->holidays[i] == ymd) return false;
    return true;
}

/* The local time `minutes` after midnight of the day in *day (normalised
 * by mktime, so DST-safe where there is DST). */
static time_t at_minute(const struct tm *day, int minutes) {
    struct tm t = *day;
    t.tm_hour = minutes / 60;
    t.tm_min = minutes % 60;
    t.tm_sec = 0;
    t.tm_isdst = -1;
    return mktime(&t);
}

bool deck_screen_on(const struct deck_hours *h, time_t now, bool clock_ok, time_t *next_change) {
    if (next_change) *next_change = now + 3600;
    if (!clock_ok) return true;
    struct tm today;
    localtime_r(&now, &today);
    int m = today.tm_hour * 60 + today.tm_min;
    bool open = day_open(h, &today) && m >= h->start_min && m < h->end_min;
    if (next_change) {
        if (open) {
            *next_change = h->end_min >= 24 * 60 ? now + 3600 : at_minute(&today, h->end_min);
        } else {
            /* The next open day's start: today if it is still to come. */
            for (int d = 0; d < 400; d++) {
                struct tm day = today;
                day.tm_mday += d;
                day.tm_hour = 12;
                day.tm_isdst = -1;
                time_t noon = mktime(&day);
                localtime_r(&noon, &day);
                if (!day_open(h, &day)) continue;
                time_t start = at_minute(&day, h->start_min);
                if (start > now) {
                    *next_change = start;
                    break;
                }
            }
        }
    }
    return open;
}

size_t deck_ticker(const struct feed *feed, time_t now, bool clock_ok, const char **lines, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < feed->n_ticker && n < max; i++)
        if (!clock_ok || feed_valid_at(&feed->ticker[i].valid, now)) lines[n++] = feed->ticker[i].text;
    return n;
}

time_t deck_ticker_next_change(const struct feed *feed, time_t now) {
    time_t next = 0;
    for (size_t i = 0; i < feed->n_ticker; i++) {
        const struct feed_validity *v = &feed->ticker[i].valid;
        if (v->has_from && v->from > now && (next == 0 || v->from < next)) next = v->from;
        if (v->has_until && v->until > now && (next == 0 || v->until < next)) next = v->until;
    }
    return next;
}

const char *deck_slide_picture(const struct feed *feed, const struct deck_pictures *pics,
                               const struct slide *s) {
    if (s->kind == SLIDE_LOCAL_IMAGE)
        return pics && pics->local && s->item < pics->local->n ? pics->local->items[s->item].path : NULL;
    if (s->kind == SLIDE_IMAGE) return feed_picture(feed, pics, s->item);
    if (s->kind != SLIDE_ANNOUNCEMENT || s->item >= feed->n_announcements ||
        feed->announcements[s->item].image == NULL)
        return NULL;
    int mi = feed_find_media(feed, feed->announcements[s->item].image);
    return mi < 0 ? NULL : feed_picture(feed, pics, (size_t)mi);
}

const char *deck_slide_caption(const struct feed *feed, const struct deck_pictures *pics,
                               const struct slide *s) {
    if (s->kind == SLIDE_IMAGE) return s->item < feed->n_media ? feed->media[s->item].caption : NULL;
    if (s->kind != SLIDE_LOCAL_IMAGE || pics == NULL || pics->local == NULL || s->item >= pics->local->n)
        return NULL;
    const char *c = pics->local->items[s->item].caption;
    return c[0] ? c : NULL;
}
