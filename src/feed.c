/* feed: JSON feed parsing and validation into an arena-backed model.
 * The cJSON tree lives only inside feed_parse(); values are copied out. */
#include "feed.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "util.h"

extern const unsigned char feed_default_json[];
extern const size_t feed_default_json_len;

/* Bounds on what staff may put in a feed (bytes of UTF-8 unless noted). */
enum {
    MAX_ID = 8,
    MAX_NAME = 200,
    MAX_SHORT = 120,
    MAX_TEXT = 1000,
    MAX_LIST_ITEMS = 20,
    MAX_PLAN_ROWS = 10,
};
#define MAX_VALUE 1e12

static const char *const field_names[FEED_FIELD_COUNT] = {"住民DX", "庁内DX", "地域DX"};

const char *feed_field_name(enum feed_field f) {
    return (unsigned)f < FEED_FIELD_COUNT ? field_names[f] : "";
}

/* Parsing context: the arena being filled and the report being written. */
struct ctx {
    struct arena *arena;
    struct feed_report *report;
    size_t problems;
};

static void append(char *out, size_t size, const char *src);
static void problem(struct ctx *c, const char *path, const char *ja, const char *en, ...)
    __attribute__((format(printf, 4, 5)));

/* Records a problem. `ja` is fixed text; `en` is a printf format whose
 * arguments also describe the value (e.g. the type that was found). */
static void problem(struct ctx *c, const char *path, const char *ja, const char *en, ...) {
    c->problems++;
    struct feed_report *r = c->report;
    if (r == NULL) return;
    if (r->count >= FEED_MAX_PROBLEMS) {
        r->omitted++;
        return;
    }
    struct feed_problem *p = &r->items[r->count++];
    p->path[0] = p->ja[0] = '\0';
    append(p->path, sizeof p->path, path);
    append(p->ja, sizeof p->ja, ja);
    va_list ap;
    va_start(ap, en);
    vsnprintf(p->en, sizeof p->en, en, ap);
    va_end(ap);
}

/* Keys may repeat in JSON text and cJSON keeps every copy: only the first
 * of a known key counts, the others are reported. `seen` is a bit set over
 * the known keys of one object, `bit` the key's index. */
static bool first_time(struct ctx *c, unsigned *seen, unsigned bit, const char *path) {
    if (*seen & (1u << bit)) {
        problem(c, path, "同じ項目が2回あります (後のほうは無視します)",
                "the key appears twice (the later one is ignored)");
        return false;
    }
    *seen |= 1u << bit;
    return true;
}

static const char *type_name(const cJSON *v) {
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "true/false";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    if (cJSON_IsObject(v)) return "an object";
    return "something else";
}

/* Appends src to out (size bytes, NUL-terminated), truncating: paths are
 * built from keys staff typed, which may be long. */
static void append(char *out, size_t size, const char *src) {
    size_t o = strlen(out), n = strlen(src);
    if (o + 1 >= size) return;
    if (n > size - 1 - o) n = size - 1 - o;
    memcpy(out + o, src, n);
    out[o + n] = '\0';
}

/* Joins a path: base + ".key" or base + "[i]". */
static void path_key(char *out, size_t size, const char *base, const char *key) {
    out[0] = '\0';
    append(out, size, base);
    if (base[0]) append(out, size, ".");
    append(out, size, key);
}

static void path_index(char *out, size_t size, const char *base, size_t i) {
    char idx[32];
    snprintf(idx, sizeof idx, "[%zu]", i);
    out[0] = '\0';
    append(out, size, base);
    append(out, size, idx);
}

/* A text value: a string, valid UTF-8, 1..max bytes, no control characters
 * except newlines when multiline. Returns the arena copy or NULL (reported). */
static const char *get_text(struct ctx *c, const cJSON *v, const char *path, size_t max,
                            bool multiline) {
    if (!cJSON_IsString(v) || v->valuestring == NULL) {
        problem(c, path, "文字列を指定してください", "expected a string, got %s", type_name(v));
        return NULL;
    }
    const char *s = v->valuestring;
    size_t n = strlen(s);
    if (!utf8_valid(s, n)) {
        problem(c, path, "文字コードが正しくありません (UTF-8)", "not valid UTF-8");
        return NULL;
    }
    if (n == 0) {
        problem(c, path, "空の文字列です", "empty string");
        return NULL;
    }
    if (n > max) {
        problem(c, path, "文字数が多すぎます", "too long: %zu bytes, at most %zu", n, max);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && !(multiline && ch == '\n')) || ch == 0x7F) {
            problem(c, path, "制御文字は使えません", "control character at byte %zu", i);
            return NULL;
        }
    }
    return arena_strndup(c->arena, s, n);
}

/* An array of texts; bad items are dropped. Returns the count kept. */
static size_t get_text_list(struct ctx *c, const cJSON *v, const char *path, size_t max_len,
                            const char ***out) {
    *out = NULL;
    if (!cJSON_IsArray(v)) {
        problem(c, path, "配列 [ ] で指定してください", "expected an array, got %s",
                type_name(v));
        return 0;
    }
    int n = cJSON_GetArraySize(v);
    if (n > MAX_LIST_ITEMS) {
        problem(c, path, "項目が多すぎます (先頭の20件を使います)",
                "too many items: %d, the first %d are used", n, MAX_LIST_ITEMS);
        n = MAX_LIST_ITEMS;
    }
    const char **list = arena_alloc(c->arena, sizeof(char *) * (size_t)(n ? n : 1));
    size_t kept = 0;
    int i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        if (i >= n) break;
        char p[96];
        path_index(p, sizeof p, path, (size_t)i++);
        const char *s = get_text(c, item, p, max_len, true);
        if (s) list[kept++] = s;
    }
    *out = list;
    return kept;
}

/* "R8" -> 2026. Returns 0 for anything that is not a fiscal-year key in
 * the model's range. */
static int fy_from_key(const char *key) {
    if (key[0] != 'R') return 0;
    long n;
    if (!util_parse_long(key + 1, 1, FEED_FY_COUNT, &n) || key[1] == '0' || key[1] == '+')
        return 0;
    return (int)(FEED_FY_FIRST - 1 + n);
}

static void bad_year_key(struct ctx *c, const char *path) {
    problem(c, path, "年度は R6 のように令和の年で書いてください (R1〜R30)",
            "fiscal year keys look like R6 (R1 to R30)");
}

/* An object of fiscal year -> number. */
static void get_series(struct ctx *c, const cJSON *v, const char *path, struct feed_series *s) {
    if (!cJSON_IsObject(v)) {
        problem(c, path, "{ \"R6\": 60 } のような形で指定してください",
                "expected an object like {\"R6\": 60}, got %s", type_name(v));
        return;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        char p[96];
        path_key(p, sizeof p, path, item->string);
        int fy = fy_from_key(item->string);
        if (fy == 0) {
            bad_year_key(c, p);
            continue;
        }
        if (!cJSON_IsNumber(item)) {
            problem(c, p, "数値を指定してください", "expected a number, got %s",
                    type_name(item));
            continue;
        }
        double d = item->valuedouble;
        if (!isfinite(d) || d < 0 || d > MAX_VALUE) {
            problem(c, p, "0以上の数値を指定してください", "expected a number from 0 to 1e12");
            continue;
        }
        s->has[fy - FEED_FY_FIRST] = true;
        s->value[fy - FEED_FY_FIRST] = d;
    }
}

/* An object of fiscal year -> text, into by_year[]. */
static void get_year_texts(struct ctx *c, const cJSON *v, const char *path, size_t max,
                           const char **by_year) {
    if (!cJSON_IsObject(v)) {
        problem(c, path, "{ \"R6\": \"...\" } のような形で指定してください",
                "expected an object like {\"R6\": \"...\"}, got %s", type_name(v));
        return;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        char p[96];
        path_key(p, sizeof p, path, item->string);
        int fy = fy_from_key(item->string);
        if (fy == 0) {
            bad_year_key(c, p);
            continue;
        }
        const char *s = get_text(c, item, p, max, false);
        if (s) by_year[fy - FEED_FY_FIRST] = s;
    }
}

static bool valid_measure_id(const char *s) {
    /* "1-1" .. "99-99" */
    size_t i = 0, a = 0, b = 0;
    while (s[i] >= '0' && s[i] <= '9') i++, a++;
    if (a < 1 || a > 2 || s[i] != '-') return false;
    i++;
    while (s[i] >= '0' && s[i] <= '9') i++, b++;
    return b >= 1 && b <= 2 && s[i] == '\0';
}

static bool parse_measure(struct ctx *c, const cJSON *obj, const char *path,
                          struct feed_measure *m) {
    char p[96];
    if (!cJSON_IsObject(obj)) {
        problem(c, path, "施策は { } で指定してください (この施策は表示しません)",
                "expected an object, got %s (measure skipped)", type_name(obj));
        return false;
    }
    memset(m, 0, sizeof *m);
    const cJSON *v;
    bool ok = true;

    path_key(p, sizeof p, path, "id");
    v = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (v == NULL) {
        problem(c, p, "施策番号 (id) がありません (この施策は表示しません)",
                "missing (measure skipped)");
        ok = false;
    } else if ((m->id = get_text(c, v, p, MAX_ID, false)) == NULL) {
        ok = false;
    } else if (!valid_measure_id(m->id)) {
        problem(c, p, "施策番号は 1-1 のように書いてください (この施策は表示しません)",
                "expected an id like \"1-1\" (measure skipped)");
        ok = false;
    }

    path_key(p, sizeof p, path, "name");
    v = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (v == NULL) {
        problem(c, p, "施策名 (name) がありません (この施策は表示しません)",
                "missing (measure skipped)");
        ok = false;
    } else if ((m->name = get_text(c, v, p, MAX_NAME, false)) == NULL) {
        ok = false;
    }

    path_key(p, sizeof p, path, "field");
    v = cJSON_GetObjectItemCaseSensitive(obj, "field");
    const char *field = v ? get_text(c, v, p, MAX_SHORT, false) : NULL;
    if (v == NULL) {
        problem(c, p, "分野 (field) がありません (この施策は表示しません)",
                "missing (measure skipped)");
        ok = false;
    } else if (field == NULL) {
        ok = false;
    } else {
        int f;
        for (f = 0; f < FEED_FIELD_COUNT; f++)
            if (strcmp(field, field_names[f]) == 0) break;
        if (f == FEED_FIELD_COUNT) {
            problem(c, p, "分野は 住民DX・庁内DX・地域DX のどれかです (この施策は表示しません)",
                    "expected 住民DX, 庁内DX or 地域DX (measure skipped)");
            ok = false;
        }
        m->field = (enum feed_field)f;
    }
    if (!ok) return false;

    static const char *const keys[] = {"departments", "description", "effects", "plan", "metric",
                                       "targets", "actuals", "actual_notes", "related",
                                       "headline", NULL};
    unsigned seen = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        const char *k = item->string;
        path_key(p, sizeof p, path, k);
        bool dup = false;
        for (unsigned b = 0; keys[b]; b++)
            if (!strcmp(k, keys[b])) dup = !first_time(c, &seen, b, p);
        if (dup) continue;
        if (!strcmp(k, "id") || !strcmp(k, "name") || !strcmp(k, "field")) {
            continue;
        } else if (!strcmp(k, "departments")) {
            m->n_departments = get_text_list(c, item, p, MAX_SHORT, &m->departments);
        } else if (!strcmp(k, "description")) {
            m->n_description = get_text_list(c, item, p, MAX_TEXT, &m->description);
        } else if (!strcmp(k, "effects")) {
            m->n_effects = get_text_list(c, item, p, MAX_TEXT, &m->effects);
        } else if (!strcmp(k, "plan")) {
            if (!cJSON_IsArray(item)) {
                problem(c, p, "配列 [ ] で指定してください", "expected an array, got %s",
                        type_name(item));
                continue;
            }
            int n = cJSON_GetArraySize(item);
            if (n > MAX_PLAN_ROWS) {
                problem(c, p, "行が多すぎます (先頭の10行を使います)",
                        "too many rows: %d, the first %d are used", n, MAX_PLAN_ROWS);
                n = MAX_PLAN_ROWS;
            }
            m->plan = arena_alloc(c->arena, sizeof(struct feed_plan_row) * (size_t)(n ? n : 1));
            const cJSON *row;
            int i = 0;
            cJSON_ArrayForEach(row, item) {
                if (i >= n) break;
                char rp[96];
                path_index(rp, sizeof rp, p, (size_t)i++);
                get_year_texts(c, row, rp, MAX_SHORT, m->plan[m->n_plan].by_year);
                m->n_plan++;
            }
        } else if (!strcmp(k, "metric")) {
            if (!cJSON_IsObject(item)) {
                problem(c, p, "{ \"name\": ..., \"unit\": ... } で指定してください",
                        "expected an object, got %s", type_name(item));
                continue;
            }
            char mp[96];
            path_key(mp, sizeof mp, p, "name");
            const cJSON *mn = cJSON_GetObjectItemCaseSensitive(item, "name");
            m->metric_name = mn ? get_text(c, mn, mp, MAX_SHORT, false) : NULL;
            if (mn == NULL)
                problem(c, mp, "指標の名前 (name) がありません", "missing metric name");
            path_key(mp, sizeof mp, p, "unit");
            const cJSON *mu = cJSON_GetObjectItemCaseSensitive(item, "unit");
            m->unit = mu ? get_text(c, mu, mp, 16, false) : NULL;
        } else if (!strcmp(k, "targets")) {
            get_series(c, item, p, &m->targets);
        } else if (!strcmp(k, "actuals")) {
            get_series(c, item, p, &m->actuals);
        } else if (!strcmp(k, "actual_notes")) {
            get_year_texts(c, item, p, MAX_SHORT, m->actual_notes);
        } else if (!strcmp(k, "related")) {
            m->related = get_text(c, item, p, MAX_TEXT, false);
        } else if (!strcmp(k, "headline")) {
            if (cJSON_IsBool(item)) m->headline = cJSON_IsTrue(item);
            else problem(c, p, "true か false で指定してください", "expected true or false, got %s",
                         type_name(item));
        } else {
            problem(c, p, "知らない項目です (無視します)", "unknown key (ignored)");
        }
    }
    if (m->unit == NULL) m->unit = "";
    if (feed_measure_has_numbers(m) && m->metric_name == NULL) {
        path_key(p, sizeof p, path, "metric");
        problem(c, p, "目標値・実績値には指標 (metric) の名前と単位が必要です",
                "targets and actuals need a metric with a name and unit");
        m->metric_name = "目標値と実績値";
    }
    return true;
}

/* --- announcements, ticker, alert, media --------------------------------- */

bool feed_valid_at(const struct feed_validity *v, time_t now) {
    if (v->has_from && now < v->from) return false;
    if (v->has_until && now >= v->until) return false;
    return true;
}

/* A date or date-time. A date-only "until" runs to the end of that day. */
static bool get_time(struct ctx *c, const cJSON *v, const char *path, bool end_of_day, time_t *out) {
    const char *s = get_text(c, v, path, 40, false);
    if (s == NULL) return false;
    if (!util_parse_iso8601(s, out)) {
        problem(c, path, "日付は 2026-11-24 または 2026-11-24T09:00 の形で書いてください",
                "expected a date like 2026-11-24 or a date-time like 2026-11-24T09:00");
        return false;
    }
    if (end_of_day && strlen(s) == 10) *out += 86400;
    return true;
}

/* valid_from / valid_until of an item (with the given key names). */
static bool get_validity(struct ctx *c, const cJSON *obj, const char *path, const char *from_key,
                         const char *until_key, struct feed_validity *v) {
    char p[96];
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, from_key);
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(obj, until_key);
    memset(v, 0, sizeof *v);
    path_key(p, sizeof p, path, from_key);
    if (f && !(v->has_from = get_time(c, f, p, false, &v->from))) return false;
    path_key(p, sizeof p, path, until_key);
    if (u && !(v->has_until = get_time(c, u, p, true, &v->until))) return false;
    if (v->has_from && v->has_until && v->until <= v->from) {
        problem(c, p, "終了日時が開始日時より前です", "%s is not after %s", until_key, from_key);
        return false;
    }
    return true;
}

/* Reports keys of obj that are not in the NULL-terminated list. */
static void unknown_keys(struct ctx *c, const cJSON *obj, const char *path, const char *const *known) {
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        size_t i;
        for (i = 0; known[i]; i++)
            if (strcmp(item->string, known[i]) == 0) break;
        if (known[i] == NULL) {
            char p[96];
            path_key(p, sizeof p, path, item->string);
            problem(c, p, "知らない項目です (無視します)", "unknown key (ignored)");
        }
    }
}

/* An http(s) URL without spaces or control characters. */
static const char *get_url(struct ctx *c, const cJSON *v, const char *path) {
    const char *s = get_text(c, v, path, 500, false);
    if (s == NULL) return NULL;
    bool ok = strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
    for (const char *q = s; ok && *q; q++)
        if (*q == ' ' || (unsigned char)*q < 0x21) ok = false;
    if (!ok) {
        problem(c, path, "https:// で始まる URL を書いてください", "expected an http(s) URL");
        return NULL;
    }
    return s;
}

/* Requires obj to be an object; reports it otherwise. */
static bool want_object(struct ctx *c, const cJSON *obj, const char *path, const char *what_ja) {
    if (cJSON_IsObject(obj)) return true;
    char ja[160];
    snprintf(ja, sizeof ja, "%sは { } で指定してください (表示しません)", what_ja);
    problem(c, path, ja, "expected an object, got %s (skipped)", type_name(obj));
    return false;
}

/* Bounded array: returns the count to read (reported when cut). */
static int array_count(struct ctx *c, const cJSON *v, const char *path, int max) {
    if (!cJSON_IsArray(v)) {
        problem(c, path, "配列 [ ] で指定してください", "expected an array, got %s", type_name(v));
        return -1;
    }
    int n = cJSON_GetArraySize(v);
    if (n > max) {
        char ja[128];
        snprintf(ja, sizeof ja, "項目が多すぎます (先頭の%d件を使います)", max);
        problem(c, path, ja, "too many items: %d, the first %d are used", n, max);
        n = max;
    }
    return n;
}

/* An optional "seconds": a whole number of seconds a slide stays (3-600). */
static int get_seconds(struct ctx *c, const cJSON *obj, const char *path) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "seconds");
    if (v == NULL) return 0;
    char p[96];
    path_key(p, sizeof p, path, "seconds");
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble || v->valuedouble < 3 ||
        v->valuedouble > 600) {
        problem(c, p, "表示秒数は 3〜600 の整数で書いてください (既定の秒数で表示します)",
                "expected whole seconds from 3 to 600 (the default is used)");
        return 0;
    }
    return (int)v->valuedouble;
}

static bool parse_announcement(struct ctx *c, const cJSON *obj, const char *path,
                               struct feed_announcement *a) {
    static const char *const known[] = {"title", "body", "image", "url", "priority", "valid_from",
                                        "valid_until", "show_hours", "show_days", "seconds", NULL};
    char p[96];
    if (!want_object(c, obj, path, "お知らせ")) return false;
    memset(a, 0, sizeof *a);
    unknown_keys(c, obj, path, known);
    const cJSON *v;
    path_key(p, sizeof p, path, "title");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "title")) == NULL) {
        problem(c, p, "題名 (title) がありません (このお知らせは表示しません)", "missing (skipped)");
        return false;
    }
    if ((a->title = get_text(c, v, p, MAX_SHORT, false)) == NULL) return false;
    path_key(p, sizeof p, path, "body");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "body")) &&
        (a->body = get_text(c, v, p, MAX_TEXT, true)) == NULL)
        return false;
    path_key(p, sizeof p, path, "image");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "image")) &&
        (a->image = get_text(c, v, p, 32, false)) == NULL)
        return false;
    path_key(p, sizeof p, path, "url");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "url")) && (a->url = get_url(c, v, p)) == NULL)
        return false;
    a->seconds = get_seconds(c, obj, path);
    a->hours_from = 0;
    a->hours_until = 24 * 60;
    a->days = 0x7F;
    path_key(p, sizeof p, path, "show_hours");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "show_hours"))) {
        const char *s = get_text(c, v, p, 16, false);
        int h1, m1, h2, m2, n = 0;
        if (s && sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) == 4 && s[n] == '\0' &&
            h1 <= 23 && m1 <= 59 && h2 <= 24 && m2 <= 59 && (h2 < 24 || m2 == 0) &&
            h1 * 60 + m1 < h2 * 60 + m2) {
            a->hours_from = h1 * 60 + m1;
            a->hours_until = h2 * 60 + m2;
        } else if (s) {
            problem(c, p, "時間は 08:30-17:15 の形で書いてください (いつでも表示します)",
                    "expected hours like 08:30-17:15 (shown at any hour)");
        }
    }
    path_key(p, sizeof p, path, "show_days");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "show_days"))) {
        static const char *const names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
        unsigned mask = 0;
        bool bad = !cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0;
        const cJSON *d;
        cJSON_ArrayForEach(d, v) {
            int k = -1;
            for (int i = 0; i < 7 && cJSON_IsString(d); i++)
                if (!strcmp(d->valuestring, names[i])) k = i;
            if (k < 0) bad = true;
            else mask |= 1u << k;
        }
        if (bad)
            problem(c, p, "曜日は [\"mon\", \"tue\"] のように書いてください (毎日表示します)",
                    "expected days like [\"mon\", \"tue\"] (shown every day)");
        else a->days = mask;
    }
    a->priority = FEED_PRIORITY_NORMAL;
    path_key(p, sizeof p, path, "priority");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "priority"))) {
        const char *s = get_text(c, v, p, 16, false);
        if (s && !strcmp(s, "high")) a->priority = FEED_PRIORITY_HIGH;
        else if (s && !strcmp(s, "low")) a->priority = FEED_PRIORITY_LOW;
        else if (!s || strcmp(s, "normal"))
            problem(c, p, "優先度は high・normal・low のどれかです (normal として扱います)",
                    "expected high, normal or low (normal used)");
    }
    return get_validity(c, obj, path, "valid_from", "valid_until", &a->valid);
}

static bool parse_ticker(struct ctx *c, const cJSON *v, const char *path, struct feed_ticker *t) {
    static const char *const known[] = {"text", "valid_from", "valid_until", NULL};
    memset(t, 0, sizeof *t);
    if (cJSON_IsString(v)) return (t->text = get_text(c, v, path, 300, false)) != NULL;
    if (!cJSON_IsObject(v)) {
        problem(c, path, "テロップは文字列か { } で指定してください (表示しません)",
                "expected a string or an object, got %s (skipped)", type_name(v));
        return false;
    }
    unknown_keys(c, v, path, known);
    char p[96];
    path_key(p, sizeof p, path, "text");
    const cJSON *tx = cJSON_GetObjectItemCaseSensitive(v, "text");
    if (tx == NULL) {
        problem(c, p, "文 (text) がありません (表示しません)", "missing (skipped)");
        return false;
    }
    if ((t->text = get_text(c, tx, p, 300, false)) == NULL) return false;
    return get_validity(c, v, path, "valid_from", "valid_until", &t->valid);
}

static void parse_alert(struct ctx *c, const cJSON *obj, struct feed_alert *al) {
    static const char *const known[] = {"level", "title", "text", "from", "until", NULL};
    const char *path = "alert";
    char p[96];
    memset(al, 0, sizeof *al);
    if (cJSON_IsNull(obj)) return; /* withdrawn */
    if (!want_object(c, obj, path, "緊急のお知らせ")) return;
    unknown_keys(c, obj, path, known);
    const cJSON *v;
    path_key(p, sizeof p, path, "level");
    v = cJSON_GetObjectItemCaseSensitive(obj, "level");
    const char *lv = v ? get_text(c, v, p, 16, false) : "warning";
    if (lv == NULL) return;
    if (!strcmp(lv, "info")) al->level = FEED_ALERT_INFO;
    else if (!strcmp(lv, "warning")) al->level = FEED_ALERT_WARNING;
    else if (!strcmp(lv, "emergency")) al->level = FEED_ALERT_EMERGENCY;
    else {
        problem(c, p, "level は info・warning・emergency のどれかです (表示しません)",
                "expected info, warning or emergency (alert skipped)");
        return;
    }
    path_key(p, sizeof p, path, "text");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "text")) == NULL) {
        problem(c, p, "本文 (text) がありません (表示しません)", "missing (alert skipped)");
        return;
    }
    if ((al->text = get_text(c, v, p, 300, true)) == NULL) return;
    path_key(p, sizeof p, path, "title");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "title")) &&
        (al->title = get_text(c, v, p, MAX_SHORT, false)) == NULL)
        return;
    if (!get_validity(c, obj, path, "from", "until", &al->valid)) return;
    al->present = true;
}

static bool valid_media_id(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-' ||
              s[n] == '_'))
            return false;
    return n >= 1 && n <= 32;
}

static bool parse_media(struct ctx *c, const cJSON *obj, const char *path, struct feed_media *m) {
    static const char *const known[] = {"id", "url", "sha256", "caption", "valid_from",
                                        "valid_until", "seconds", NULL};
    char p[96];
    if (!want_object(c, obj, path, "画像")) return false;
    memset(m, 0, sizeof *m);
    unknown_keys(c, obj, path, known);
    const cJSON *v;
    path_key(p, sizeof p, path, "id");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "id")) == NULL ||
        (m->id = get_text(c, v, p, 32, false)) == NULL || !valid_media_id(m->id)) {
        problem(c, p, "id は英小文字・数字・-・_ で32文字までです (表示しません)",
                "expected an id of a-z, 0-9, - and _ (skipped)");
        return false;
    }
    path_key(p, sizeof p, path, "url");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "url")) == NULL) {
        problem(c, p, "url がありません (表示しません)", "missing (skipped)");
        return false;
    }
    if ((m->url = get_url(c, v, p)) == NULL) return false;
    path_key(p, sizeof p, path, "sha256");
    v = cJSON_GetObjectItemCaseSensitive(obj, "sha256");
    const char *h = v ? get_text(c, v, p, 64, false) : NULL;
    bool hex = h && strlen(h) == 64;
    for (size_t i = 0; hex && i < 64; i++)
        hex = (h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f');
    if (!hex) {
        problem(c, p, "sha256 は64桁の16進数 (小文字) で書いてください (表示しません)",
                "expected 64 lowercase hex digits (skipped)");
        return false;
    }
    m->sha256 = h;
    m->seconds = get_seconds(c, obj, path);
    path_key(p, sizeof p, path, "caption");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "caption")) &&
        (m->caption = get_text(c, v, p, MAX_SHORT, false)) == NULL)
        return false;
    return get_validity(c, obj, path, "valid_from", "valid_until", &m->valid);
}

static void parse_plan_info(struct ctx *c, const cJSON *obj, struct feed *f) {
    if (!cJSON_IsObject(obj)) {
        problem(c, "plan", "{ } で指定してください", "expected an object, got %s",
                type_name(obj));
        return;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        char p[96];
        path_key(p, sizeof p, "plan", item->string);
        const char *k = item->string;
        if (!strcmp(k, "title")) {
            f->plan_title = get_text(c, item, p, MAX_NAME, false);
        } else if (!strcmp(k, "revision")) {
            f->plan_revision = get_text(c, item, p, MAX_SHORT, false);
        } else if (!strcmp(k, "first_fy") || !strcmp(k, "last_fy")) {
            int fy = cJSON_IsString(item) ? fy_from_key(item->valuestring) : 0;
            if (fy == 0) bad_year_key(c, p);
            else if (k[0] == 'f') f->first_fy = fy;
            else f->last_fy = fy;
        } else if (!strcmp(k, "published") || !strcmp(k, "policies")) {
            continue; /* informational; shown by later slide kinds */
        } else {
            problem(c, p, "知らない項目です (無視します)", "unknown key (ignored)");
        }
    }
    if (f->first_fy && f->last_fy && f->first_fy > f->last_fy) {
        problem(c, "plan.last_fy", "終了年度が開始年度より前です",
                "last_fy is before first_fy");
        f->first_fy = f->last_fy = 0;
    }
}

static void fail_whole(struct ctx *c, const char *path, const char *ja, const char *en) {
    problem(c, path, ja, "%s", en);
}

enum feed_status feed_parse(const char *json, size_t len, struct feed_report *report,
                            struct feed **out) {
    struct ctx c = {.report = report};
    enum feed_status st;
    char *copy = NULL;
    cJSON *root = NULL;
    struct feed *f = NULL;
    *out = NULL;
    if (report) memset(report, 0, sizeof *report);

    if (len > FEED_MAX_BYTES) {
        fail_whole(&c, "", "ファイルが大きすぎます (1MB まで)", "larger than 1 MiB");
        return FEED_ERR_TOO_BIG;
    }
    if (len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0) json += 3, len -= 3; /* BOM */
    if (!utf8_valid(json, len)) {
        fail_whole(&c, "", "文字コードが UTF-8 ではありません", "the body is not UTF-8");
        return FEED_ERR_NOT_UTF8;
    }
    /* A NUL-terminated copy, and its length counted with the NUL: with
     * require_null_terminated, cJSON 1.7.15 rejects a document whose last
     * byte is at buffer_length (it must see the terminator inside the
     * buffer). An embedded NUL was refused above by utf8_valid(). */
    copy = xmalloc(len + 1);
    memcpy(copy, json, len);
    copy[len] = '\0';
    const char *end = NULL;
    root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, 1);
    if (root == NULL) {
        char where[64];
        size_t off = end && end >= copy && end <= copy + len ? (size_t)(end - copy) : 0;
        size_t line = 1;
        for (size_t i = 0; i < off; i++) line += copy[i] == '\n';
        snprintf(where, sizeof where, "(%zu行目付近 / near line %zu)", line, line);
        problem(&c, where, "JSON として読めません (カンマや括弧を確認してください)",
                "not valid JSON (check commas and brackets)");
        st = FEED_ERR_NOT_JSON;
        goto fail;
    }
    if (!cJSON_IsObject(root)) {
        fail_whole(&c, "", "全体を { } で囲んだオブジェクトにしてください",
                   "the top level must be an object");
        st = FEED_ERR_SCHEMA;
        goto fail;
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "schema_version");
    if (!cJSON_IsNumber(ver) || ver->valuedouble != FEED_SCHEMA_VERSION) {
        fail_whole(&c, "schema_version", "schema_version は 1 にしてください",
                   "schema_version must be 1");
        st = FEED_ERR_SCHEMA;
        goto fail;
    }

    c.arena = arena_new();
    f = xcalloc(1, sizeof *f);
    f->arena = c.arena;
    f->schema_version = FEED_SCHEMA_VERSION;

    static const char *const keys[] = {"updated_at", "publisher", "plan", "measures",
                                       "announcements", "ticker", "alert", "media", NULL};
    unsigned seen = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, root) {
        const char *k = item->string;
        bool repeated = false;
        for (unsigned b = 0; keys[b]; b++)
            if (!strcmp(k, keys[b])) repeated = !first_time(&c, &seen, b, k);
        if (repeated) continue;
        if (!strcmp(k, "schema_version") || !strcmp(k, "$schema")) {
            continue; /* "$schema" lets an editor find config/feed.schema.json */
        } else if (!strcmp(k, "updated_at")) {
            const char *s = get_text(&c, item, k, 40, false);
            if (s && util_parse_iso8601(s, &f->updated_at)) f->has_updated_at = true;
            else if (s)
                problem(&c, k, "日時は 2026-11-24T09:00:00+09:00 の形で書いてください",
                        "expected a date-time like 2026-11-24T09:00:00+09:00");
        } else if (!strcmp(k, "publisher")) {
            f->publisher = get_text(&c, item, k, MAX_SHORT, false);
        } else if (!strcmp(k, "plan")) {
            parse_plan_info(&c, item, f);
        } else if (!strcmp(k, "measures")) {
            if (!cJSON_IsArray(item)) {
                problem(&c, k, "配列 [ ] で指定してください", "expected an array, got %s",
                        type_name(item));
                continue;
            }
            int n = cJSON_GetArraySize(item);
            if (n > FEED_MAX_MEASURES) {
                problem(&c, k, "施策が多すぎます (先頭の100件を使います)",
                        "too many measures: %d, the first %d are used", n, FEED_MAX_MEASURES);
                n = FEED_MAX_MEASURES;
            }
            f->measures = arena_alloc(c.arena, sizeof(struct feed_measure) * (size_t)(n ? n : 1));
            const cJSON *mo;
            int i = 0;
            cJSON_ArrayForEach(mo, item) {
                if (i >= n) break;
                char p[96];
                path_index(p, sizeof p, "measures", (size_t)i++);
                struct feed_measure *m = &f->measures[f->n_measures];
                if (!parse_measure(&c, mo, p, m)) continue;
                if (feed_find_measure(f, m->id)) {
                    char ip[96];
                    path_key(ip, sizeof ip, p, "id");
                    problem(&c, ip, "同じ施策番号が前にもあります (この施策は表示しません)",
                            "duplicate id (measure skipped)");
                    continue;
                }
                f->n_measures++;
            }
        } else if (!strcmp(k, "announcements")) {
            int n = array_count(&c, item, k, FEED_MAX_ANNOUNCEMENTS);
            if (n < 0) continue;
            f->announcements = arena_alloc(c.arena, sizeof(struct feed_announcement) * (size_t)(n ? n : 1));
            const cJSON *a;
            int i = 0;
            cJSON_ArrayForEach(a, item) {
                if (i >= n) break;
                char p[96];
                path_index(p, sizeof p, k, (size_t)i++);
                if (parse_announcement(&c, a, p, &f->announcements[f->n_announcements])) {
                    f->announcements[f->n_announcements].source_index = (size_t)i - 1;
                    f->n_announcements++;
                }
            }
        } else if (!strcmp(k, "ticker")) {
            int n = array_count(&c, item, k, FEED_MAX_TICKER);
            if (n < 0) continue;
            f->ticker = arena_alloc(c.arena, sizeof(struct feed_ticker) * (size_t)(n ? n : 1));
            const cJSON *t;
            int i = 0;
            cJSON_ArrayForEach(t, item) {
                if (i >= n) break;
                char p[96];
                path_index(p, sizeof p, k, (size_t)i++);
                if (parse_ticker(&c, t, p, &f->ticker[f->n_ticker])) f->n_ticker++;
            }
        } else if (!strcmp(k, "alert")) {
            parse_alert(&c, item, &f->alert);
        } else if (!strcmp(k, "media")) {
            int n = array_count(&c, item, k, FEED_MAX_MEDIA);
            if (n < 0) continue;
            f->media = arena_alloc(c.arena, sizeof(struct feed_media) * (size_t)(n ? n : 1));
            const cJSON *m;
            int i = 0;
            cJSON_ArrayForEach(m, item) {
                if (i >= n) break;
                char p[96];
                path_index(p, sizeof p, k, (size_t)i++);
                struct feed_media *md = &f->media[f->n_media];
                if (!parse_media(&c, m, p, md)) continue;
                bool dup = false;
                for (size_t j = 0; j < f->n_media; j++) dup |= !strcmp(f->media[j].id, md->id);
                if (dup) {
                    char ip[96];
                    path_key(ip, sizeof ip, p, "id");
                    problem(&c, ip, "同じ id が前にもあります (表示しません)", "duplicate id (skipped)");
                    continue;
                }
                f->n_media++;
            }
        } else {
            problem(&c, k, "知らない項目です (無視します)", "unknown key (ignored)");
        }
    }
    for (size_t i = 0; i < f->n_announcements; i++) {
        struct feed_announcement *a = &f->announcements[i];
        bool found = false;
        for (size_t j = 0; a->image && j < f->n_media; j++) found |= !strcmp(f->media[j].id, a->image);
        if (a->image && !found) {
            char p[96];
            snprintf(p, sizeof p, "announcements[%zu].image", a->source_index);
            problem(&c, p, "media にない画像の id です (画像なしで表示します)",
                    "no media entry has this id (shown without the image)");
            a->image = NULL;
        }
    }
    if (f->n_measures == 0) {
        fail_whole(&c, "measures", "表示できる施策が1件もありません",
                   "no usable measure in the feed");
        st = FEED_ERR_EMPTY;
        goto fail;
    }
    if (f->first_fy == 0 || f->last_fy == 0) {
        /* Derive the span from the data when the plan does not say. */
        int lo = 0, hi = 0;
        for (size_t i = 0; i < f->n_measures; i++)
            for (int y = 0; y < FEED_FY_COUNT; y++)
                if (f->measures[i].targets.has[y] || f->measures[i].actuals.has[y]) {
                    int fy = FEED_FY_FIRST + y;
                    if (lo == 0 || fy < lo) lo = fy;
                    if (fy > hi) hi = fy;
                }
        f->first_fy = lo ? lo : FEED_FY_FIRST;
        f->last_fy = hi ? hi : FEED_FY_FIRST;
    }
    cJSON_Delete(root);
    free(copy);
    *out = f;
    return c.problems ? FEED_PROBLEMS : FEED_OK;
fail:
    cJSON_Delete(root);
    free(copy);
    feed_free(f); /* owns the arena when there is one */
    return st;
}

enum feed_status feed_parse_default(struct feed_report *report, struct feed **out) {
    return feed_parse((const char *)feed_default_json, feed_default_json_len, report, out);
}

void feed_free(struct feed *feed) {
    if (feed == NULL) return;
    arena_free(feed->local_arena);
    arena_free(feed->arena);
    free(feed);
}

const char *feed_status_text(enum feed_status st) {
    switch (st) {
    case FEED_OK: return "valid";
    case FEED_PROBLEMS: return "usable, with problems";
    case FEED_ERR_TOO_BIG: return "too big";
    case FEED_ERR_NOT_UTF8: return "not UTF-8";
    case FEED_ERR_NOT_JSON: return "not JSON";
    case FEED_ERR_SCHEMA: return "wrong shape or schema_version";
    case FEED_ERR_EMPTY: return "nothing usable";
    }
    return "?";
}

const struct feed_measure *feed_find_measure(const struct feed *feed, const char *id) {
    for (size_t i = 0; i < feed->n_measures; i++)
        if (strcmp(feed->measures[i].id, id) == 0) return &feed->measures[i];
    return NULL;
}

bool feed_measure_has_numbers(const struct feed_measure *m) {
    for (int y = 0; y < FEED_FY_COUNT; y++)
        if (m->targets.has[y] || m->actuals.has[y]) return true;
    return false;
}

int feed_latest_actual_fy(const struct feed_measure *m) {
    for (int y = FEED_FY_COUNT - 1; y >= 0; y--)
        if (m->actuals.has[y]) return FEED_FY_FIRST + y;
    return 0;
}

void feed_attach_media(struct feed *f, const char *cache_dir) {
    if (f->n_media == 0) return;
    f->media_path = arena_alloc(f->arena, sizeof(char *) * f->n_media);
    for (size_t i = 0; i < f->n_media; i++) {
        static const char *const exts[] = {"png", "jpg"};
        for (size_t e = 0; e < 2 && !f->media_path[i]; e++) {
            char p[4200];
            snprintf(p, sizeof p, "%s/media/%s.%s", cache_dir, f->media[i].sha256, exts[e]);
            if (access(p, R_OK) == 0) f->media_path[i] = arena_strdup(f->arena, p);
        }
    }
}

int feed_find_media(const struct feed *f, const char *id) {
    for (size_t i = 0; i < f->n_media; i++)
        if (strcmp(f->media[i].id, id) == 0) return (int)i;
    return -1;
}
