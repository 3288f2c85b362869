/* Unit tests for deck: which slides, in which order, and the alert. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cache.h"
#include "check.h"
#include "deck.h"
#include "feed.h"
#include "file.h"
#include "util.h"

static void default_plan_should_give_the_whole_deck_in_order(void) {
    struct feed *f = NULL;
    CHECK_INT(feed_parse_default(NULL, &f), FEED_OK);
    if (f == NULL) return;
    struct deck *d = malloc(sizeof *d);
    deck_build(f, NULL, 12, 0, false, d);
    static const char *const want[] = {
        "summary", "kpi-1-1", "kpi-1-2", "kpi-1-3", "kpi-1-6", "kpi-1-8", "kpi-3-1", "kpi-3-2",
        "roadmap-1", "roadmap-2", "roadmap-3", "detail-1-4", "detail-1-5", "detail-1-7",
        "detail-2-1", "detail-2-2", "detail-2-3", "detail-2-4", "detail-2-5", "detail-2-6",
        "detail-3-3", "detail-3-4"};
    CHECK_INT(d->n, ARRAY_LEN(want));
    for (size_t i = 0; i < d->n && i < ARRAY_LEN(want); i++) CHECK_STR(d->slides[i].id, want[i]);
    CHECK_INT(d->slides[1].kind, SLIDE_KPI);
    CHECK_STR(f->measures[d->slides[1].item].id, "1-1");
    CHECK_INT(d->slides[1].seconds, 12);
    CHECK_INT(d->slides[8].seconds, 18); /* the roadmap has more to read */
    CHECK_INT(deck_find(d, "kpi-3-1"), 6);
    CHECK_INT(deck_find(d, "kpi-2-1"), -1);
    size_t heads[DECK_MAX_HEADLINES];
    CHECK_INT(deck_headlines(f, heads), 4); /* 1-1, 1-2, 1-3, 3-2 are marked */
    CHECK_STR(f->measures[heads[3]].id, "3-2");
    free(d);
    feed_free(f);
}

#define M(id, field, extra) \
    "{\"id\":\"" id "\",\"name\":\"n\",\"field\":\"" field "\",\"metric\":{\"name\":\"m\"}" extra "}"

static struct feed *parse(const char *json) {
    struct feed *f = NULL;
    if (feed_parse(json, strlen(json), NULL, &f) > FEED_PROBLEMS) return NULL;
    return f;
}

static void slides_should_be_ordered_by_field(void) {
    struct feed *f = parse("{\"schema_version\":1,\"measures\":["
                           M("3-2", "地域DX", ",\"targets\":{\"R6\":1}") ","
                           M("2-1", "庁内DX", ",\"actuals\":{\"R6\":1}") ","
                           M("1-1", "住民DX", ",\"targets\":{\"R6\":1}") ","
                           "{\"id\":\"1-2\",\"name\":\"no numbers\",\"field\":\"住民DX\"}]}");
    CHECK(f != NULL);
    if (f == NULL) return;
    struct deck *d = malloc(sizeof *d);
    deck_build(f, NULL, 7, 0, false, d);
    /* No measure has an actual and a target for one year: no summary. */
    static const char *const want[] = {"kpi-1-1", "kpi-2-1", "kpi-3-2", "roadmap-1",
                                       "roadmap-2", "roadmap-3", "detail-1-2"};
    CHECK_INT(d->n, ARRAY_LEN(want));
    for (size_t i = 0; i < d->n && i < ARRAY_LEN(want); i++) CHECK_STR(d->slides[i].id, want[i]);
    CHECK_INT(d->slides[0].seconds, 7);
    free(d);
    feed_free(f);
}

static void summary_should_fall_back_to_measures_with_both_numbers(void) {
    struct feed *f = parse("{\"schema_version\":1,\"measures\":["
                           M("1-1", "住民DX", ",\"targets\":{\"R6\":1},\"actuals\":{\"R6\":2}") ","
                           M("1-2", "住民DX", ",\"targets\":{\"R6\":1}") ","
                           M("3-1", "地域DX", ",\"targets\":{\"R7\":1},\"actuals\":{\"R7\":0}") "]}");
    if (f == NULL) return;
    size_t heads[DECK_MAX_HEADLINES];
    CHECK_INT(deck_headlines(f, heads), 2);
    CHECK_STR(f->measures[heads[0]].id, "1-1");
    CHECK_STR(f->measures[heads[1]].id, "3-1");
    feed_free(f);
}

static time_t at(const char *s) {
    time_t t = 0;
    util_parse_iso8601(s, &t);
    return t;
}

static void announcements_should_follow_validity_and_priority(void) {
    struct feed *f = parse(
        "{\"schema_version\":1,\"measures\":[" M("1-1", "住民DX", ",\"targets\":{\"R6\":1}") "],"
        "\"announcements\":["
        "{\"title\":\"low\",\"priority\":\"low\"},"
        "{\"title\":\"december\",\"valid_from\":\"2026-12-01\",\"valid_until\":\"2026-12-31\"},"
        "{\"title\":\"high\",\"priority\":\"high\",\"valid_until\":\"2026-11-24\"}]}");
    if (f == NULL) return;
    struct deck *d = malloc(sizeof *d);
    deck_build(f, NULL, 10, at("2026-11-24T09:00:00+09:00"), true, d);
    CHECK_STR(d->slides[1].id, "news-2"); /* high first */
    CHECK_STR(d->slides[2].id, "news-0");
    CHECK_INT(deck_find(d, "news-1"), -1); /* not yet */
    CHECK_INT(d->slides[1].seconds, 15);
    deck_build(f, NULL, 10, at("2026-11-25T00:00:00+09:00"), true, d);
    CHECK_INT(deck_find(d, "news-2"), -1); /* through the 24th only */
    deck_build(f, NULL, 10, at("2026-12-01T00:00:00+09:00"), true, d);
    CHECK(deck_find(d, "news-1") >= 0);
    /* A clock still in 1970: nothing is hidden or expired by it. */
    deck_build(f, NULL, 10, 0, false, d);
    CHECK(deck_find(d, "news-0") >= 0 && deck_find(d, "news-1") >= 0 && deck_find(d, "news-2") >= 0);
    free(d);
    feed_free(f);
}

static void announcements_should_follow_their_hours_and_days(void) {
    struct feed *f = parse(
        "{\"schema_version\":1,\"measures\":[" M("1-1", "住民DX", ",\"targets\":{\"R6\":1}") "],"
        "\"announcements\":[{\"title\":\"counter\",\"show_hours\":\"08:30-17:15\","
        "\"show_days\":[\"mon\",\"tue\",\"wed\",\"thu\",\"fri\"]}]}");
    if (f == NULL) return;
    struct deck *d = malloc(sizeof *d);
    deck_build(f, NULL, 10, at("2026-11-24T08:30:00+09:00"), true, d); /* Tuesday */
    CHECK(deck_find(d, "news-0") >= 0);
    deck_build(f, NULL, 10, at("2026-11-24T17:15:00+09:00"), true, d);
    CHECK_INT(deck_find(d, "news-0"), -1);
    deck_build(f, NULL, 10, at("2026-11-24T08:29:00+09:00"), true, d);
    CHECK_INT(deck_find(d, "news-0"), -1);
    deck_build(f, NULL, 10, at("2026-11-28T10:00:00+09:00"), true, d); /* Saturday */
    CHECK_INT(deck_find(d, "news-0"), -1);
    free(d);
    feed_free(f);
    f = parse("{\"schema_version\":1,\"measures\":[" M("1-1", "住民DX", "") "],"
              "\"announcements\":[{\"title\":\"a\",\"seconds\":30},{\"title\":\"b\",\"seconds\":2}]}");
    if (f) {
        d = malloc(sizeof *d);
        deck_build(f, NULL, 10, 0, false, d);
        CHECK_INT(d->slides[deck_find(d, "news-0")].seconds, 30); /* its own duration */
        CHECK_INT(d->slides[deck_find(d, "news-1")].seconds, 15); /* 2 s refused: the default */
        free(d);
        feed_free(f);
    }
    struct feed_report *rep = malloc(sizeof *rep);
    const char *bad = "{\"schema_version\":1,\"measures\":[" M("1-1", "住民DX", "") "],"
                      "\"announcements\":[{\"title\":\"t\",\"show_hours\":\"17:00-08:00\","
                      "\"show_days\":[\"monday\"]}]}";
    CHECK_INT(feed_parse(bad, strlen(bad), rep, &f), FEED_PROBLEMS);
    CHECK_INT(rep->count, 2);
    if (f) CHECK_INT(f->announcements[0].days, 0x7F);
    feed_free(f);
    free(rep);
}

static void alert_should_show_until_it_expires(void) {
    struct feed *f = parse("{\"schema_version\":1,\"measures\":[" M("1-1", "住民DX", "") "],"
                           "\"alert\":{\"level\":\"warning\",\"text\":\"x\","
                           "\"until\":\"2026-11-24T18:00:00+09:00\"}}");
    if (f == NULL) return;
    CHECK(deck_alert(f, at("2026-11-24T17:59:00+09:00"), true) != NULL);
    CHECK(deck_alert(f, at("2026-11-24T18:00:00+09:00"), true) == NULL);
    CHECK(deck_alert(f, 0, false) != NULL); /* an unset clock expires nothing */
    feed_free(f);
    f = parse("{\"schema_version\":1,\"measures\":[" M("1-1", "住民DX", "") "]}");
    if (f) CHECK(deck_alert(f, at("2026-11-24T17:59:00+09:00"), true) == NULL);
    feed_free(f);
}

static void display_hours_should_follow_days_hours_and_holidays(void) {
    struct deck_hours h;
    deck_hours_always(&h);
    time_t next;
    CHECK(deck_screen_on(&h, at("2026-11-22T03:00:00+09:00"), true, &next)); /* Sunday night */
    h.start_min = 7 * 60 + 30;
    h.end_min = 19 * 60;
    h.days = 0x3E; /* mon-fri */
    h.holidays[h.n_holidays++] = 20261229;
    /* Tuesday 9:00: on until 19:00 */
    CHECK(deck_screen_on(&h, at("2026-11-24T09:00:00+09:00"), true, &next));
    CHECK_INT(next, at("2026-11-24T19:00:00+09:00"));
    /* Tuesday 19:00: off until Wednesday 7:30 */
    CHECK(!deck_screen_on(&h, at("2026-11-24T19:00:00+09:00"), true, &next));
    CHECK_INT(next, at("2026-11-25T07:30:00+09:00"));
    /* Early morning: off until 7:30 the same day */
    CHECK(!deck_screen_on(&h, at("2026-11-25T06:00:00+09:00"), true, &next));
    CHECK_INT(next, at("2026-11-25T07:30:00+09:00"));
    /* Friday evening: off until Monday */
    CHECK(!deck_screen_on(&h, at("2026-11-27T20:00:00+09:00"), true, &next));
    CHECK_INT(next, at("2026-11-30T07:30:00+09:00"));
    /* A holiday on a Tuesday: off all day, on again on Wednesday */
    CHECK(!deck_screen_on(&h, at("2026-12-29T10:00:00+09:00"), true, &next));
    CHECK_INT(next, at("2026-12-30T07:30:00+09:00"));
    /* A clock not set yet: always on, whatever it says */
    CHECK(deck_screen_on(&h, at("2026-12-29T10:00:00+09:00"), false, &next));
}

static void the_feeds_pictures_should_come_from_the_cache_and_leave_the_feed_alone(void) {
    char dir[] = "/tmp/misato-deck-XXXXXX", p[128];
    CHECK(mkdtemp(dir) != NULL);
    static const char png[] = "\x89PNG\r\n\x1a\n", sha_a[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    snprintf(p, sizeof p, "%s/media", dir);
    CHECK(file_mkdir_p(p));
    /* Only "a" is on disk (as a .jpg: either extension is found). */
    char name[96];
    CHECK(!cache_media_name(sha_a, "GIF89a", 6, name, sizeof name));
    CHECK(cache_media_name(sha_a, png, 8, name, sizeof name) && !strcmp(name + 64, ".png"));
    snprintf(p, sizeof p, "%s/media/%s.jpg", dir, sha_a);
    FILE *fp = fopen(p, "w");
    fputs("x", fp);
    fclose(fp);
    struct feed *f = parse("{\"schema_version\":1,\"measures\":[" M("1-1", "住民DX", "") "],"
                           "\"announcements\":[{\"title\":\"t\",\"image\":\"b\"}],"
                           "\"media\":[{\"id\":\"a\",\"url\":\"https://x/a\",\"sha256\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" "\",\"caption\":\"説明\"},"
                           "{\"id\":\"b\",\"url\":\"https://x/b\",\"sha256\":\"" "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" "\"}]}");
    CHECK(f != NULL);
    if (f == NULL) return;
    struct cache_media *cm = cache_media_find(dir, f);
    CHECK_INT(cm->n, 2);
    CHECK_STR(cm->path[0], p);
    CHECK(cm->path[1] == NULL);
    struct deck_pictures pics = {cm, NULL};
    struct deck *d = malloc(sizeof *d);
    deck_build(f, &pics, 10, 0, false, d);
    int a = deck_find(d, "image-a");
    CHECK(a > 0 && deck_find(d, "image-b") < 0); /* b: used by the announcement, and not on disk */
    if (a > 0) {
        CHECK_STR(deck_slide_picture(f, &pics, &d->slides[a]), p);
        CHECK_STR(deck_slide_caption(f, &pics, &d->slides[a]), "説明");
    }
    int news = deck_find(d, "news-0");
    CHECK(news >= 0 && deck_slide_picture(f, &pics, &d->slides[news]) == NULL);
    /* Without the pictures: no image slide, and the feed is as parsed. */
    deck_build(f, NULL, 10, 0, false, d);
    CHECK(deck_find(d, "image-a") < 0);
    CHECK_INT(f->n_media, 2);
    free(d);
    cache_media_free(cm);
    feed_free(f);
    unlink(p);
    snprintf(p, sizeof p, "%s/media", dir);
    rmdir(p);
    rmdir(dir);
}

int main(void) {
    setenv("TZ", "Asia/Tokyo", 1);
    RUN(default_plan_should_give_the_whole_deck_in_order);
    RUN(slides_should_be_ordered_by_field);
    RUN(summary_should_fall_back_to_measures_with_both_numbers);
    RUN(announcements_should_follow_validity_and_priority);
    RUN(alert_should_show_until_it_expires);
    RUN(announcements_should_follow_their_hours_and_days);
    RUN(display_hours_should_follow_days_hours_and_holidays);
    RUN(the_feeds_pictures_should_come_from_the_cache_and_leave_the_feed_alone);
    return CHECK_DONE();
}
