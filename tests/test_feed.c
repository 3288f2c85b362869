/* Unit tests for feed: the embedded plan, and bad feeds reported by path. */
#include <stdlib.h>

#include "check.h"
#include "feed.h"
#include "file.h"
#include "utf8.h"
#include "util.h"

static double target(const struct feed_measure *m, int fy) {
    double v = -1;
    feed_series_get(&m->targets, fy, &v);
    return v;
}

static double actual(const struct feed_measure *m, int fy) {
    double v = -1;
    feed_series_get(&m->actuals, fy, &v);
    return v;
}

static void default_feed_should_hold_the_whole_plan(void) {
    struct feed_report rep;
    struct feed *f = NULL;
    CHECK_INT(feed_parse_default(&rep, &f), FEED_OK);
    for (size_t i = 0; i < rep.count; i++)
        fprintf(stderr, "  %s: %s\n", rep.items[i].path, rep.items[i].en);
    CHECK(f != NULL);
    if (f == NULL) return;
    CHECK_INT(f->n_measures, 18);
    static const char *const ids[] = {"1-1", "1-2", "1-3", "1-4", "1-5", "1-6",
                                      "1-7", "1-8", "2-1", "2-2", "2-3", "2-4",
                                      "2-5", "2-6", "3-1", "3-2", "3-3", "3-4"};
    for (size_t i = 0; i < 18; i++) {
        CHECK_STR(f->measures[i].id, ids[i]);
        CHECK(f->measures[i].n_departments > 0);
        CHECK(f->measures[i].n_description > 0);
    }
    CHECK_INT(f->first_fy, 2024);
    CHECK_INT(f->last_fy, 2029);
    CHECK(f->has_updated_at);
    CHECK_STR(f->plan_revision, "令和8年3月改訂");
    feed_free(f);
}

static void default_feed_should_carry_the_plans_numbers(void) {
    struct feed *f = NULL;
    CHECK_INT(feed_parse_default(NULL, &f), FEED_OK);
    if (f == NULL) return;
    const struct feed_measure *m = feed_find_measure(f, "1-1");
    CHECK_STR(m->name, "行政手続きのオンライン化");
    CHECK_INT(m->field, FEED_FIELD_RESIDENT);
    CHECK_STR(m->metric_name, "オンライン手続数");
    CHECK_STR(m->unit, "件");
    CHECK_NEAR(target(m, 2024), 60, 0);
    CHECK_NEAR(target(m, 2025), 100, 0);
    CHECK_NEAR(target(m, 2026), 120, 0);
    CHECK_NEAR(actual(m, 2024), 63, 0);
    CHECK(!feed_series_get(&m->actuals, 2025, NULL));
    CHECK_STR(m->departments[0], "窓口担当課");
    CHECK_INT(m->n_departments, 3);

    m = feed_find_measure(f, "1-2");
    CHECK_STR(m->metric_name, "キャッシュレス件数");
    CHECK_NEAR(target(m, 2024), 150, 0);
    CHECK_NEAR(target(m, 2025), 200, 0);
    CHECK_NEAR(target(m, 2026), 250, 0);
    CHECK_NEAR(actual(m, 2024), 266, 0);
    CHECK(m->actual_notes[2024 - FEED_FY_FIRST] != NULL);

    m = feed_find_measure(f, "1-3");
    CHECK_STR(m->metric_name, "タブレットでの手続き件数");
    CHECK_NEAR(target(m, 2024), 300, 0);
    CHECK_NEAR(target(m, 2025), 1200, 0);
    CHECK_NEAR(target(m, 2026), 1800, 0);
    CHECK_NEAR(actual(m, 2024), 1970, 0);

    m = feed_find_measure(f, "1-4");
    CHECK(!feed_measure_has_numbers(m));
    CHECK_STR(m->actual_notes[2024 - FEED_FY_FIRST], "実施");

    m = feed_find_measure(f, "1-6");
    CHECK_STR(m->metric_name, "電子契約件数");
    CHECK(!feed_series_get(&m->targets, 2024, NULL));
    CHECK_NEAR(target(m, 2025), 60, 0);
    CHECK_NEAR(target(m, 2026), 100, 0);
    CHECK_INT(feed_latest_actual_fy(m), 0);

    m = feed_find_measure(f, "1-8");
    CHECK_STR(m->metric_name, "Web予約率");
    CHECK_STR(m->unit, "%");
    CHECK_NEAR(target(m, 2029), 20, 0);

    m = feed_find_measure(f, "3-1");
    CHECK_STR(m->metric_name, "受講者数");
    CHECK_STR(m->unit, "人");
    CHECK_NEAR(target(m, 2024), 50, 0);
    CHECK_NEAR(target(m, 2025), 60, 0);
    CHECK_NEAR(target(m, 2026), 70, 0);
    CHECK_NEAR(actual(m, 2024), 49, 0);
    CHECK_INT(m->field, FEED_FIELD_COMMUNITY);

    m = feed_find_measure(f, "3-2");
    CHECK_STR(m->metric_name, "コンビニ交付件数");
    CHECK_NEAR(target(m, 2024), 2000, 0);
    CHECK_NEAR(target(m, 2025), 2500, 0);
    CHECK_NEAR(target(m, 2026), 3000, 0);
    CHECK_NEAR(actual(m, 2024), 2239, 0);

    m = feed_find_measure(f, "2-5");
    CHECK_STR(m->name, "自治体情報システムの標準化・共通化");
    CHECK_INT(m->field, FEED_FIELD_ADMIN);
    CHECK(m->n_plan > 0);
    CHECK(feed_find_measure(f, "9-9") == NULL);
    feed_free(f);
}

/* Parses text; returns the status and leaves the report in *rep. */
static enum feed_status parse(const char *json, struct feed_report *rep, struct feed **f) {
    return feed_parse(json, strlen(json), rep, f);
}

static bool has_problem(const struct feed_report *rep, const char *path, const char *ja_part) {
    for (size_t i = 0; i < rep->count; i++)
        if (strcmp(rep->items[i].path, path) == 0 && strstr(rep->items[i].ja, ja_part)) return true;
    for (size_t i = 0; i < rep->count; i++)
        fprintf(stderr, "  have: %s: %s / %s\n", rep->items[i].path, rep->items[i].ja,
                rep->items[i].en);
    return false;
}

#define GOOD_MEASURE "{\"id\":\"1-1\",\"name\":\"行政手続きのオンライン化\",\"field\":\"住民DX\"," \
                     "\"metric\":{\"name\":\"オンライン手続数\",\"unit\":\"件\"}," \
                     "\"targets\":{\"R6\":60},\"actuals\":{\"R6\":63}}"

static void wrong_types_should_name_the_json_path(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    const char *json = "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE ","
                       "{\"id\":\"1-2\",\"name\":\"キャッシュレス決済の拡充\",\"field\":\"住民DX\","
                       "\"metric\":{\"name\":\"キャッシュレス件数\",\"unit\":\"件\"},"
                       "\"targets\":{\"R6\":150,\"R8\":\"250\",\"R7\":-1,\"2026\":3},"
                       "\"colour\":\"red\"}]}";
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK(f != NULL);
    CHECK(has_problem(rep, "measures[1].targets.R8", "数値は引用符 \" をつけずに 250 と書いてください"));
    bool en_found = false;
    for (size_t i = 0; i < rep->count; i++)
        en_found |= strstr(rep->items[i].en, "expected a number, got a string") != NULL;
    CHECK(en_found);
    CHECK(has_problem(rep, "measures[1].targets.R7", "0以上"));
    CHECK(has_problem(rep, "measures[1].targets.2026", "R6 のように"));
    CHECK(has_problem(rep, "measures[1].colour", "知らない項目"));
    if (f) {
        CHECK_INT(f->n_measures, 2);
        CHECK_NEAR(target(&f->measures[1], 2024), 150, 0);
        CHECK(!feed_series_get(&f->measures[1].targets, 2026, NULL));
    }
    feed_free(f);
    free(rep);
}

static void bad_measures_should_be_dropped_and_the_rest_kept(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    const char *json = "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE ","
                       "{\"id\":\"1-9\",\"name\":\"x\",\"field\":\"観光DX\"},"
                       "{\"id\":\"one\",\"name\":\"x\",\"field\":\"住民DX\"},"
                       "{\"name\":\"x\",\"field\":\"住民DX\"},"
                       "42," GOOD_MEASURE "]}";
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK(has_problem(rep, "measures[1].field", "住民DX・庁内DX・地域DX"));
    CHECK(has_problem(rep, "measures[2].id", "1-1 のように"));
    CHECK(has_problem(rep, "measures[3].id", "ありません"));
    CHECK(has_problem(rep, "measures[4]", "{ }"));
    CHECK(has_problem(rep, "measures[5].id", "同じ施策番号"));
    if (f) CHECK_INT(f->n_measures, 1);
    feed_free(f);
    free(rep);
}

static void unusable_bodies_should_be_rejected_whole(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = (struct feed *)1;
    CHECK_INT(parse("{\"schema_version\":1,\"measures\":[", rep, &f), FEED_ERR_NOT_JSON);
    CHECK(f == NULL);
    CHECK(strstr(rep->items[0].path, "1行目") != NULL);
    CHECK_INT(parse("[1,2,3]", rep, &f), FEED_ERR_SCHEMA);
    CHECK_INT(parse("{\"schema_version\":2,\"measures\":[" GOOD_MEASURE "]}", rep, &f),
              FEED_ERR_SCHEMA);
    CHECK(has_problem(rep, "schema_version", "1 にしてください"));
    CHECK_INT(parse("{\"measures\":[" GOOD_MEASURE "]}", rep, &f), FEED_ERR_SCHEMA);
    CHECK_INT(parse("{\"schema_version\":1,\"measures\":[]}", rep, &f), FEED_ERR_EMPTY);
    CHECK_INT(parse("{\"schema_version\":1,\"measures\":\"none\"}", rep, &f), FEED_ERR_EMPTY);
    CHECK_INT(parse("{\"schema_version\":1,\"publisher\":\"\xff\"}", rep, &f), FEED_ERR_NOT_UTF8);
    CHECK_INT(parse("", rep, &f), FEED_ERR_NOT_JSON);
    CHECK_INT(feed_parse("{\"schema_version\":1}\0{}", 22, rep, &f), FEED_ERR_NOT_UTF8);
    CHECK(f == NULL);
    free(rep);
}

static void deep_nesting_and_huge_bodies_should_not_crash(void) {
    size_t depth = 100000;
    char *deep = malloc(depth * 2 + 64);
    size_t o = (size_t)sprintf(deep, "{\"schema_version\":1,\"x\":");
    for (size_t i = 0; i < depth; i++) deep[o++] = '[';
    for (size_t i = 0; i < depth; i++) deep[o++] = ']';
    deep[o++] = '}';
    struct feed *f = NULL;
    CHECK_INT(feed_parse(deep, o, NULL, &f), FEED_ERR_NOT_JSON);
    free(deep);
    size_t big = FEED_MAX_BYTES + 1;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    CHECK_INT(feed_parse(huge, big, NULL, &f), FEED_ERR_TOO_BIG);
    free(huge);
}

static void strings_should_be_checked(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    /* A name with a control character, a name too long, an escaped NUL. */
    char json[2048];
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    snprintf(json, sizeof json,
             "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE ","
             "{\"id\":\"1-2\",\"name\":\"a\\u0007b\",\"field\":\"住民DX\"},"
             "{\"id\":\"1-3\",\"name\":\"%s\",\"field\":\"住民DX\"},"
             "{\"id\":\"1-4\",\"name\":\"a\\u0000b\",\"field\":\"住民DX\"}]}",
             longname);
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK(has_problem(rep, "measures[1].name", "制御文字"));
    CHECK(has_problem(rep, "measures[2].name", "長すぎます: 399文字あります。200文字までにしてください"));
    if (f) {
        for (size_t i = 0; i < f->n_measures; i++)
            CHECK(utf8_valid(f->measures[i].name, strlen(f->measures[i].name)));
    }
    feed_free(f);
    /* cJSON refuses a lone surrogate escape: the whole body is not JSON. */
    const char *sur = "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE ","
                      "{\"id\":\"1-5\",\"name\":\"\\ud800\",\"field\":\"住民DX\"}]}";
    CHECK_INT(parse(sur, rep, &f), FEED_ERR_NOT_JSON);
    free(rep);
}

static void numbers_should_be_finite_and_bounded(void) {
    struct feed *f = NULL;
    struct feed_report *rep = malloc(sizeof *rep);
    const char *json = "{\"schema_version\":1,\"measures\":[{\"id\":\"1-1\",\"name\":\"n\","
                       "\"field\":\"住民DX\",\"metric\":{\"name\":\"m\",\"unit\":\"件\"},"
                       "\"targets\":{\"R6\":1e999,\"R7\":1e13,\"R31\":5,\"R0\":5,\"R08\":5},"
                       "\"actuals\":{\"R6\":12.5}}]}";
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK(has_problem(rep, "measures[0].targets.R6", "0以上"));
    CHECK(has_problem(rep, "measures[0].targets.R7", "0以上"));
    CHECK(has_problem(rep, "measures[0].targets.R31", "R6 のように"));
    CHECK(has_problem(rep, "measures[0].targets.R0", "R6 のように"));
    CHECK(has_problem(rep, "measures[0].targets.R08", "R6 のように"));
    if (f) CHECK_NEAR(actual(&f->measures[0], 2024), 12.5, 1e-9);
    feed_free(f);
    free(rep);
}

static void problems_past_the_limit_should_be_counted(void) {
    char *json = malloc(200000);
    size_t o = (size_t)sprintf(json, "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE);
    for (int i = 0; i < 99; i++) o += (size_t)sprintf(json + o, ",{\"id\":1}");
    o += (size_t)sprintf(json + o, "]}");
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    CHECK_INT(feed_parse(json, o, rep, &f), FEED_PROBLEMS);
    CHECK_INT(rep->count, FEED_MAX_PROBLEMS);
    CHECK(rep->omitted > 0);
    feed_free(f);
    free(rep);
    free(json);
}

static void example_feed_should_parse_every_section(void) {
    char *body = NULL;
    size_t len = 0;
    CHECK_INT(file_read(AT_FDCWD, MISATO_SOURCE_DIR "/docs/feed-example.json", FEED_MAX_BYTES, 0, &body,
                        &len, NULL),
              FILE_OK);
    struct feed *f = NULL;
    struct feed_report *rep = malloc(sizeof *rep);
    CHECK_INT(feed_parse(body, len, rep, &f), FEED_OK);
    free(body);
    free(rep);
    if (f == NULL) return;
    CHECK_INT(f->n_announcements, 2);
    CHECK_STR(f->announcements[0].title, "マイナンバーカードでコンビニ交付");
    CHECK(strchr(f->announcements[0].body, '\n') != NULL);
    CHECK_INT(f->announcements[0].priority, FEED_PRIORITY_HIGH);
    CHECK_STR(f->announcements[1].image, "sumaho-kyoshitsu");
    CHECK_INT(f->n_ticker, 2);
    CHECK(!f->ticker[0].valid.has_from);
    CHECK(f->ticker[1].valid.has_from && f->ticker[1].valid.has_until);
    CHECK(!f->alert.present);
    CHECK_INT(f->n_media, 1);
    time_t t;
    /* valid_until "2026-12-20" runs through that day. */
    util_parse_iso8601("2026-12-20T23:59:00", &t);
    CHECK(feed_valid_at(&f->announcements[1].valid, t));
    util_parse_iso8601("2026-12-21T00:00:00", &t);
    CHECK(!feed_valid_at(&f->announcements[1].valid, t));
    feed_free(f);
}

static void bad_announcements_alert_and_media_should_be_reported(void) {
    const char *json =
        "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE "],"
        "\"announcements\":[{\"body\":\"no title\"},"
        "{\"title\":\"t\",\"url\":\"javascript:alert(1)\"},"
        "{\"title\":\"t\",\"valid_from\":\"2026-12-01\",\"valid_until\":\"2026-11-01\"},"
        "{\"title\":\"t\",\"valid_until\":\"next week\"},"
        "{\"title\":\"ok\",\"image\":\"nope\",\"priority\":\"urgent\"}],"
        "\"ticker\":[\"ok\", 5, {\"txt\":\"x\"}],"
        "\"alert\":{\"level\":\"panic\",\"text\":\"x\"},"
        "\"media\":[{\"id\":\"Bad Id\",\"url\":\"https://a/b.png\",\"sha256\":\"x\"},"
        "{\"id\":\"p\",\"url\":\"https://a/b.png\",\"sha256\":\"ABC\"}]}";
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK(has_problem(rep, "announcements[0].title", "題名"));
    CHECK(has_problem(rep, "announcements[1].url", "https://"));
    CHECK(has_problem(rep, "announcements[2].valid_until", "終わり (valid_until) が始まり (valid_from) より前です"));
    CHECK(has_problem(rep, "announcements[3].valid_until", "2026-11-24"));
    CHECK(has_problem(rep, "announcements[4].priority", "high・normal・low"));
    CHECK(has_problem(rep, "announcements[4].image", "media にない"));
    CHECK(has_problem(rep, "ticker[1]", "文字列"));
    CHECK(has_problem(rep, "ticker[2].txt", "知らない項目"));
    CHECK(has_problem(rep, "alert.level", "info・warning・emergency"));
    CHECK(has_problem(rep, "media[0].id", "英小文字"));
    CHECK(has_problem(rep, "media[1].sha256", "64桁"));
    if (f) {
        CHECK_INT(f->n_announcements, 1);
        CHECK(f->announcements[0].image == NULL);
        CHECK_INT(f->announcements[0].priority, FEED_PRIORITY_NORMAL);
        CHECK_INT(f->n_ticker, 1);
        CHECK(!f->alert.present);
        CHECK_INT(f->n_media, 0);
    }
    feed_free(f);
    free(rep);
}

static void an_alert_should_parse_with_its_level_and_expiry(void) {
    const char *json = "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE "],"
                       "\"alert\":{\"level\":\"emergency\",\"title\":\"大雨警報\","
                       "\"text\":\"不要不急の外出は控えてください\",\"until\":\"2026-11-24T18:00:00+09:00\"}}";
    struct feed *f = NULL;
    CHECK_INT(parse(json, NULL, &f), FEED_OK);
    if (f == NULL) return;
    CHECK(f->alert.present);
    CHECK_INT(f->alert.level, FEED_ALERT_EMERGENCY);
    CHECK_STR(f->alert.title, "大雨警報");
    time_t t;
    util_parse_iso8601("2026-11-24T17:59:00+09:00", &t);
    CHECK(feed_valid_at(&f->alert.valid, t));
    util_parse_iso8601("2026-11-24T18:00:00+09:00", &t);
    CHECK(!feed_valid_at(&f->alert.valid, t));
    feed_free(f);
    /* null withdraws it */
    const char *none = "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE "],\"alert\":null}";
    CHECK_INT(parse(none, NULL, &f), FEED_OK);
    if (f) CHECK(!f->alert.present);
    feed_free(f);
}

static void repeated_keys_should_count_once(void) {
    /* cJSON keeps both copies of a repeated key; a second "announcements"
     * once made the count run past its array (found by the fuzzer). */
    const char *json = "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE "],"
                       "\"announcements\":[{\"title\":\"a\"},{\"title\":\"b\"}],"
                       "\"announcements\":[{\"title\":\"c\"}],"
                       "\"measures\":[" GOOD_MEASURE "]}";
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK(has_problem(rep, "announcements", "2回"));
    CHECK(has_problem(rep, "measures", "2回"));
    if (f) {
        CHECK_INT(f->n_announcements, 2);
        CHECK_STR(f->announcements[1].title, "b");
        CHECK_INT(f->n_measures, 1);
    }
    feed_free(f);
    const char *m = "{\"schema_version\":1,\"measures\":[{\"id\":\"1-1\",\"name\":\"n\","
                    "\"field\":\"住民DX\",\"plan\":[{\"R6\":\"a\"}],\"plan\":[{\"R6\":\"b\"},{}]}]}";
    CHECK_INT(parse(m, rep, &f), FEED_PROBLEMS);
    CHECK(has_problem(rep, "measures[0].plan", "2回"));
    if (f) CHECK_INT(f->measures[0].n_plan, 1);
    feed_free(f);
    free(rep);
}

/* The one problem at path, or NULL (printing what there is). */
static const struct feed_problem *problem_at(const struct feed_report *rep, const char *path) {
    for (size_t i = 0; i < rep->count; i++)
        if (strcmp(rep->items[i].path, path) == 0) return &rep->items[i];
    for (size_t i = 0; i < rep->count; i++)
        fprintf(stderr, "  have: %s: %s / %s\n", rep->items[i].path, rep->items[i].ja,
                rep->items[i].en);
    return NULL;
}

#define CHECK_PROBLEM(rep, path, want_ja)                                \
    do {                                                                 \
        const struct feed_problem *p_ = problem_at(rep, path);           \
        CHECK(p_ != NULL);                                               \
        if (p_) CHECK_STR(p_->ja, want_ja);                              \
    } while (0)

static void a_misspelt_key_should_name_the_nearest_known_one(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    const char *json = "{\"schema_version\":1,\"measures\":[{\"id\":\"1-1\",\"name\":\"n\","
                       "\"field\":\"住民DX\",\"metric\":{\"name\":\"m\",\"unit\":\"件\"},"
                       "\"target\":{\"R6\":1},\"Headline\":true,\"colour\":\"red\"}],"
                       "\"anouncements\":[],"
                       "\"ticker\":[{\"text\":\"t\",\"valid_untill\":\"2026-12-01\"}]}";
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK_PROBLEM(rep, "measures[0].target",
                  "知らない項目です。targets の書き間違いではありませんか (この項目は無視します)");
    CHECK_PROBLEM(rep, "measures[0].Headline",
                  "知らない項目です。headline の書き間違いではありませんか (この項目は無視します)");
    CHECK_PROBLEM(rep, "measures[0].colour", "知らない項目です (この項目は無視します)");
    CHECK_PROBLEM(rep, "anouncements",
                  "知らない項目です。announcements の書き間違いではありませんか (この項目は無視します)");
    CHECK_PROBLEM(rep, "ticker[0].valid_untill",
                  "知らない項目です。valid_until の書き間違いではありませんか (この項目は無視します。"
                  "終わりの日時がないので、ずっと表示されます)");
    feed_free(f);
    /* On an alert a misspelt expiry is an error: the alert is not shown. */
    const char *alert = "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE "],"
                        "\"alert\":{\"text\":\"大雨警報\",\"untill\":\"2026-11-24T18:00\"}}";
    CHECK_INT(parse(alert, rep, &f), FEED_PROBLEMS);
    CHECK_PROBLEM(rep, "alert.untill",
                  "知らない項目です。until の書き間違いではありませんか。このままでは期限のない"
                  "緊急のお知らせになり、画面に出たままになります (この緊急のお知らせは表示しません)");
    if (f) CHECK(!f->alert.present);
    feed_free(f);
    free(rep);
}

static void a_repeated_key_should_say_which_value_is_used(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    const char *json = "{\"schema_version\":1,\"measures\":[{\"id\":\"1-1\",\"name\":\"n\","
                       "\"field\":\"住民DX\",\"metric\":{\"name\":\"m\",\"unit\":\"件\"},"
                       "\"targets\":{\"R6\":60},\"actuals\":{\"R6\":63,\"R6\":999,\"R6\":5}}],"
                       "\"publisher\":\"美郷町\",\"publisher\":\"x\"}";
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK_INT(rep->count, 3);
    CHECK_STR(rep->items[0].path, "measures[0].actuals.R6");
    CHECK_STR(rep->items[0].ja, "同じ項目が2回以上あります。最初の値 63 を使い、後の値 999 は使いません");
    CHECK_STR(rep->items[1].ja, "同じ項目が2回以上あります。最初の値 63 を使い、後の値 5 は使いません");
    CHECK_PROBLEM(rep, "publisher",
                  "同じ項目が2回以上あります。最初の値 \"美郷町\" を使い、後の値 \"x\" は使いません");
    if (f) {
        CHECK_NEAR(actual(&f->measures[0], 2024), 63, 0); /* not 999: no 1665% on screen */
        CHECK_STR(f->publisher, "美郷町");
    }
    feed_free(f);
    free(rep);
}

static void limits_should_count_characters(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    char json[4096], title[1024] = "";
    /* 45 characters of Japanese (135 bytes): fine, as the schema says. */
    for (int i = 0; i < 45; i++) strcat(title, "あ");
    snprintf(json, sizeof json,
             "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE "],\"announcements\":[{\"title\":\"%s\"}]}",
             title);
    CHECK_INT(parse(json, rep, &f), FEED_OK);
    if (f) CHECK_INT(f->n_announcements, 1);
    feed_free(f);
    title[0] = '\0';
    for (int i = 0; i < 121; i++) strcat(title, "あ");
    snprintf(json, sizeof json,
             "{\"schema_version\":1,\"measures\":[" GOOD_MEASURE "],\"announcements\":[{\"title\":\"%s\"}]}",
             title);
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK_PROBLEM(rep, "announcements[0].title",
                  "長すぎます: 121文字あります。120文字までにしてください (このお知らせは表示しません)");
    if (f) CHECK_INT(f->n_announcements, 0);
    feed_free(f);
    free(rep);
}

static void numbers_written_as_text_should_be_shown_half_width(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    const char *json = "{\"schema_version\":1,\"measures\":[{\"id\":\"1-1\",\"name\":\"n\","
                       "\"field\":\"住民DX\",\"metric\":{\"name\":\"m\",\"unit\":\"件\"},"
                       "\"targets\":{\"R6\":\"１２０\",\"R7\":\"1,200\",\"R8\":\"１，２００．５\","
                       "\"R9\":\"百\",\"R10\":2e12}}]}";
    CHECK_INT(parse(json, rep, &f), FEED_PROBLEMS);
    CHECK_PROBLEM(rep, "measures[0].targets.R6",
                  "全角の数字です。半角で 120 と書いてください (引用符 \" はつけません) (この値は使いません)");
    CHECK_PROBLEM(rep, "measures[0].targets.R7",
                  "数値は引用符 \" をつけずに 1200 と書いてください (この値は使いません)");
    CHECK_PROBLEM(rep, "measures[0].targets.R8",
                  "全角の数字です。半角で 1200.5 と書いてください (引用符 \" はつけません) (この値は使いません)");
    CHECK_PROBLEM(rep, "measures[0].targets.R9", "数値を指定してください (この値は使いません)");
    CHECK_PROBLEM(rep, "measures[0].targets.R10",
                  "0以上、1兆 (1000000000000) 以下の数値にしてください (この値は使いません)");
    feed_free(f);
    free(rep);
}

static void unreadable_bodies_should_say_where_and_why(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    /* A trailing comma is reported on its own line, not the next one's. */
    const char *comma = "{\"schema_version\": 1,\n \"measures\": [\n  {\"id\": \"1-1\"},\n ]\n}";
    CHECK_INT(parse(comma, rep, &f), FEED_ERR_NOT_JSON);
    CHECK_STR(rep->items[0].path, "3行目 16文字目 (line 3, column 16)");
    CHECK_STR(rep->items[0].ja, "最後の項目の後にカンマ , があります。このカンマを消してください"
                                " (このファイルは使いません。画面には前のデータが表示され続けます)");
    CHECK_STR(rep->detail, "     3 |   {\"id\": \"1-1\"},\n       |                ^\n");
    /* Too deep is not "check commas and brackets". */
    char deep[2600];
    memset(deep, '[', 1200);
    memset(deep + 1200, ']', 1200);
    deep[2400] = '\0';
    CHECK_INT(parse(deep, rep, &f), FEED_ERR_NOT_JSON);
    CHECK(strstr(rep->items[0].ja, "入れ子 ({ } や [ ]) が深すぎます。1000段までです") == rep->items[0].ja);
    /* Shift_JIS: named, and how to save as UTF-8. */
    const char *sjis = "{\"schema_version\": 1, \"publisher\": \"\x94\xfc\x8b\xbd\x92\xac\"}";
    CHECK_INT(parse(sjis, rep, &f), FEED_ERR_NOT_UTF8);
    CHECK_STR(rep->items[0].path, "1行目 37文字目 (line 1, column 37)");
    CHECK(strstr(rep->items[0].ja, "(Shift_JIS で保存されています)。UTF-8 で保存し直してください") != NULL);
    CHECK(strstr(rep->detail, "メモ帳") && strstr(rep->detail, "VS Code") && strstr(rep->detail, "Excel"));
    /* A full-width colon. */
    CHECK_INT(parse("{\"schema_version\"： 1}", rep, &f), FEED_ERR_NOT_JSON);
    CHECK(strstr(rep->items[0].ja, "全角の「：」です。半角の「:」にしてください") == rep->items[0].ja);
    /* Never an empty path (a log line "feed : ..."). */
    CHECK_INT(parse("[1]", rep, &f), FEED_ERR_SCHEMA);
    CHECK_STR(rep->items[0].path, "(全体 / whole file)");
    free(rep);
}

static void ended_items_should_be_reported_at_the_time_given(void) {
    struct feed_report *rep = malloc(sizeof *rep);
    struct feed *f = NULL;
    const char *json = "{\"$schema\":\"./feed.schema.json\",\"schema_version\":1,\"measures\":[" GOOD_MEASURE "],"
                       "\"announcements\":[{\"title\":\"a\",\"valid_until\":\"2026-11-20\"},"
                       "{\"title\":\"b\",\"valid_until\":\"2026-12-20\"}],"
                       "\"alert\":{\"text\":\"x\",\"until\":\"2026-11-24T18:00\"}}";
    CHECK_INT(parse(json, rep, &f), FEED_OK); /* "$schema" is accepted */
    if (f == NULL) return;
    time_t t;
    util_parse_iso8601("2026-11-24T09:00", &t);
    CHECK_INT(feed_check_expired(f, t, rep), 1);
    CHECK_PROBLEM(rep, "announcements[0].valid_until",
                  "表示期間が 2026-11-20 で終わっています (このお知らせは表示しません)");
    memset(rep, 0, sizeof *rep);
    util_parse_iso8601("2026-11-25T09:00", &t);
    CHECK_INT(feed_check_expired(f, t, rep), 2);
    CHECK_PROBLEM(rep, "alert.until",
                  "表示期間が 2026-11-24T18:00 で終わっています (この緊急のお知らせは表示しません)");
    feed_free(f);
    CHECK_INT(parse("{\"$schema\":5,\"schema_version\":1,\"measures\":[" GOOD_MEASURE "]}", rep, &f),
              FEED_PROBLEMS);
    CHECK_PROBLEM(rep, "$schema", "スキーマの場所を文字列で書いてください (この項目は無視します)");
    feed_free(f);
    free(rep);
}

int main(void) {
    setenv("TZ", "Asia/Tokyo", 1);
    RUN(default_feed_should_hold_the_whole_plan);
    RUN(default_feed_should_carry_the_plans_numbers);
    RUN(wrong_types_should_name_the_json_path);
    RUN(bad_measures_should_be_dropped_and_the_rest_kept);
    RUN(unusable_bodies_should_be_rejected_whole);
    RUN(deep_nesting_and_huge_bodies_should_not_crash);
    RUN(strings_should_be_checked);
    RUN(numbers_should_be_finite_and_bounded);
    RUN(problems_past_the_limit_should_be_counted);
    RUN(example_feed_should_parse_every_section);
    RUN(bad_announcements_alert_and_media_should_be_reported);
    RUN(an_alert_should_parse_with_its_level_and_expiry);
    RUN(repeated_keys_should_count_once);
    RUN(a_misspelt_key_should_name_the_nearest_known_one);
    RUN(a_repeated_key_should_say_which_value_is_used);
    RUN(limits_should_count_characters);
    RUN(numbers_written_as_text_should_be_shown_half_width);
    RUN(unreadable_bodies_should_say_where_and_why);
    RUN(ended_items_should_be_reported_at_the_time_given);
    return CHECK_DONE();
}
