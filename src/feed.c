/* feed: JSON feed parsing and validation into an arena-backed model.
 * The cJSON tree lives only inside feed_parse(); values are copied out.
 * Every problem names its JSON path (or line and column), says what to
 * write instead, and ends with what the player leaves out because of it. */
#include "feed.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "arena.h"
#include "log.h"
#include "utf8.h"
#include "util.h"
#include "xalloc.h"

extern const unsigned char feed_default_json[];
extern const size_t feed_default_json_len;

/* Bounds on what staff may put in a feed, in characters (Unicode code
 * points, as JSON Schema's maxLength counts them) unless noted. */
enum {
    MAX_ID = 8,
    MAX_NAME = 200,
    MAX_SHORT = 120,
    MAX_TEXT = 1000,
    MAX_LINE = 300, /* ticker and alert texts */
    MAX_UNIT = 8, /* more does not fit beside a big number */
    MAX_MEDIA_ID = 32,
    MAX_URL = 500,
    MAX_LIST_ITEMS = 20,
    MAX_PLAN_ROWS = 10,
};
#define MAX_VALUE 1e12

static const char *const field_names[FEED_FIELD_COUNT] = {"住民DX", "庁内DX", "地域DX"};

const char *feed_field_name(enum feed_field f) {
    return (unsigned)f < FEED_FIELD_COUNT ? field_names[f] : "";
}

/* What the player does about a refused value; every message ends with it. */
struct outcome {
    const char *ja, *en;
};
static const struct outcome
    NOT_USED = {"この値は使いません", "not used"},
    KEY_NOT_USED = {"この項目は使いません", "not used"},
    IGNORED = {"この項目は無視します", "ignored"},
    LINE_DROPPED = {"この行は表示しません", "this line is not shown"},
    MEASURE_DROPPED = {"この施策は表示しません", "measure not shown"},
    NEWS_DROPPED = {"このお知らせは表示しません", "announcement not shown"},
    TICKER_DROPPED = {"このテロップは表示しません", "ticker line not shown"},
    ALERT_DROPPED = {"この緊急のお知らせは表示しません", "alert not shown"},
    MEDIA_DROPPED = {"この画像は表示しません", "picture not shown"},
    FILE_REFUSED = {"このファイルは使いません。画面には前のデータが表示され続けます",
                    "the file is not used; the screens keep the previous data"};

/* Parsing context: the arena being filled, the report being written, and
 * what a refused value costs at this point of the feed. */
struct ctx {
    struct arena *arena;
    struct feed_report *report;
    size_t problems;
    const struct outcome *then;
    struct feed *feed;
    void *items; /* the array parse_array() is filling */
};

static void append(char *out, size_t size, const char *src);

/* Records a problem. `ja` is fixed text; `en` a printf format. The
 * outcome `then` is appended to both (NULL: the text already says it). */
static void vproblem(struct ctx *c, const struct outcome *then, const char *path, const char *ja,
                     const char *en, va_list ap) __attribute__((format(printf, 5, 0)));
static void vproblem(struct ctx *c, const struct outcome *then, const char *path, const char *ja,
                     const char *en, va_list ap) {
    c->problems++;
    struct feed_report *r = c->report;
    if (r == NULL) return;
    if (r->count >= FEED_MAX_PROBLEMS) {
        r->omitted++;
        return;
    }
    struct feed_problem *p = &r->items[r->count++];
    p->path[0] = p->ja[0] = p->en[0] = '\0';
    append(p->path, sizeof p->path, path);
    append(p->ja, sizeof p->ja, ja);
    char en_text[sizeof p->en];
    vsnprintf(en_text, sizeof en_text, en, ap);
    append(p->en, sizeof p->en, en_text);
    if (then) {
        append(p->ja, sizeof p->ja, " (");
        append(p->ja, sizeof p->ja, then->ja);
        append(p->ja, sizeof p->ja, ")");
        append(p->en, sizeof p->en, " (");
        append(p->en, sizeof p->en, then->en);
        append(p->en, sizeof p->en, ")");
    }
}

static void problem(struct ctx *c, const char *path, const char *ja, const char *en, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(struct ctx *c, const char *path, const char *ja, const char *en, ...) {
    va_list ap;
    va_start(ap, en);
    vproblem(c, c->then, path, ja, en, ap);
    va_end(ap);
}

static void problem_then(struct ctx *c, const struct outcome *then, const char *path,
                         const char *ja, const char *en, ...) __attribute__((format(printf, 5, 6)));
static void problem_then(struct ctx *c, const struct outcome *then, const char *path,
                         const char *ja, const char *en, ...) {
    va_list ap;
    va_start(ap, en);
    vproblem(c, then, path, ja, en, ap);
    va_end(ap);
}

/* Sets what a refused value costs from here on; returns the previous. */
static const struct outcome *costs(struct ctx *c, const struct outcome *then) {
    const struct outcome *was = c->then;
    c->then = then;
    return was;
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

/* Appends src to out (size bytes, NUL-terminated), truncating on a UTF-8
 * character boundary: paths are built from keys staff typed. */
static void append(char *out, size_t size, const char *src) {
    size_t o = strlen(out), n = strlen(src);
    if (o + 1 >= size) return;
    if (n > size - 1 - o) {
        n = size - 1 - o;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80) n--;
    }
    memcpy(out + o, src, n);
    out[o + n] = '\0';
}

/* Joins a path: base + ".key" or base + "[i]". */
static void path_key(char *out, size_t size, const char *base, const char *key) {
    out[0] = '\0';
    append(out, size, base);
    if (base[0]) append(out, size, ".");
    append(out, size, key[0] ? key : "\"\""); /* an empty key is shown as "" */
}

static void path_index(char *out, size_t size, const char *base, size_t i) {
    char idx[32];
    snprintf(idx, sizeof idx, "[%zu]", i);
    out[0] = '\0';
    append(out, size, base);
    append(out, size, idx);
}

/* Characters (code points) of valid UTF-8. */
static size_t utf8_chars(const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* A short rendering of a value for messages: 63, "120", true, {…}. */
static void value_text(char *out, size_t size, const cJSON *v) {
    if (cJSON_IsNumber(v)) snprintf(out, size, "%.15g", v->valuedouble);
    else if (cJSON_IsTrue(v)) snprintf(out, size, "true");
    else if (cJSON_IsFalse(v)) snprintf(out, size, "false");
    else if (cJSON_IsNull(v)) snprintf(out, size, "null");
    else if (cJSON_IsArray(v)) snprintf(out, size, "[…]");
    else if (cJSON_IsObject(v)) snprintf(out, size, "{…}");
    else if (cJSON_IsString(v) && v->valuestring) {
        out[0] = '\0';
        append(out, size, "\"");
        append(out, size > 44 ? 41 : size, v->valuestring);
        if (strlen(out) - 1 < strlen(v->valuestring)) append(out, size, "…");
        append(out, size, "\"");
    } else snprintf(out, size, "?");
}

/* --- texts and numbers ---------------------------------------------------- */

/* A text value: a string, valid UTF-8, 1..max characters, no control
 * characters except newlines when multiline. Returns the arena copy or NULL
 * (reported). */
static const char *get_text(struct ctx *c, const cJSON *v, const char *path, size_t max,
                            bool multiline) {
    if (!cJSON_IsString(v) || v->valuestring == NULL) {
        problem(c, path, "文字列を \"…\" で囲んで書いてください", "expected a string, got %s",
                type_name(v));
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
    size_t chars = utf8_chars(s, n);
    if (chars > max) {
        char ja[160];
        snprintf(ja, sizeof ja, "長すぎます: %zu文字あります。%zu文字までにしてください", chars,
                 max);
        problem(c, path, ja, "too long: %zu characters, at most %zu", chars, max);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && !(multiline && ch == '\n')) || ch == 0x7F) {
            problem(c, path,
                    multiline ? "制御文字は使えません (改行は \\n だけ使えます)"
                              : "改行や制御文字は使えません",
                    "control character at byte %zu", i);
            return NULL;
        }
    }
    return arena_strndup(c->arena, s, n);
}

/* When a string holds a number ("120", "１２０", "1,200"), the number to
 * write instead, in half-width digits, and whether it was full-width. */
static bool number_in_text(const char *s, char *out, size_t size, bool *fullwidth) {
    size_t o = 0, digits = 0;
    *fullwidth = false;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        char ch = 0;
        if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
            ch = (char)('0' + (p[2] - 0x90)), *fullwidth = true, p += 3; /* ０..９ */
        } else if (p[0] == 0xEF && p[1] == 0xBC && (p[2] == 0x8E || p[2] == 0x8C)) {
            ch = p[2] == 0x8E ? '.' : ',', *fullwidth = true, p += 3; /* ． ， */
        } else if ((*p >= '0' && *p <= '9') || *p == '.' || *p == ',') {
            ch = (char)*p++;
        } else if (*p == ' ') {
            p++;
            continue;
        } else {
            return false;
        }
        if (ch == ',') continue; /* a thousands separator */
        digits += ch != '.';
        if (o + 1 >= size) return false;
        out[o++] = ch;
    }
    out[o] = '\0';
    char *end = NULL;
    if (digits == 0) return false;
    strtod(out, &end);
    return end && *end == '\0';
}

/* Reports a value that should have been a number; shows the number to
 * write when the value is a number in quotes or in full-width digits. */
static void not_a_number(struct ctx *c, const cJSON *v, const char *path, const char *want_ja,
                         const char *want_en) {
    char num[64], ja[256];
    bool fw;
    if (cJSON_IsString(v) && v->valuestring && number_in_text(v->valuestring, num, sizeof num, &fw)) {
        if (fw)
            snprintf(ja, sizeof ja, "全角の数字です。半角で %s と書いてください (引用符 \" はつけません)",
                     num);
        else
            snprintf(ja, sizeof ja, "数値は引用符 \" をつけずに %s と書いてください", num);
        problem(c, path, ja, "%s, got a string: write %s (half-width digits, no quotes)", want_en,
                num);
        return;
    }
    problem(c, path, want_ja, "%s, got %s", want_en, type_name(v));
}

/* An array of texts; bad items are dropped. Returns the count kept. */
static size_t get_text_list(struct ctx *c, const cJSON *v, const char *path, size_t max_len,
                            const char ***out) {
    *out = NULL;
    if (!cJSON_IsArray(v)) {
        problem_then(c, &KEY_NOT_USED, path, "配列 [ ] で指定してください",
                     "expected an array, got %s", type_name(v));
        return 0;
    }
    int n = cJSON_GetArraySize(v);
    if (n > MAX_LIST_ITEMS) {
        char ja[160];
        snprintf(ja, sizeof ja, "項目が多すぎます: %d件あります。%d件までです", n, MAX_LIST_ITEMS);
        struct outcome rest = {"先頭の20件だけを使い、21件目からは表示しません",
                               "only the first 20 are shown"};
        problem_then(c, &rest, path, ja, "too many items: %d, at most %d", n, MAX_LIST_ITEMS);
        n = MAX_LIST_ITEMS;
    }
    const char **list = arena_alloc(c->arena, sizeof(char *) * (size_t)(n ? n : 1));
    size_t kept = 0;
    int i = 0;
    const cJSON *item;
    const struct outcome *was = costs(c, &LINE_DROPPED);
    cJSON_ArrayForEach(item, v) {
        if (i >= n) break;
        char p[96];
        path_index(p, sizeof p, path, (size_t)i++);
        const char *s = get_text(c, item, p, max_len, true);
        if (s) list[kept++] = s;
    }
    costs(c, was);
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
        problem_then(c, &KEY_NOT_USED, path, "{ \"R6\": 60 } のような形で指定してください",
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
            not_a_number(c, item, p, "数値を指定してください", "expected a number");
            continue;
        }
        double d = item->valuedouble;
        if (!isfinite(d) || d < 0 || d > MAX_VALUE) {
            problem(c, p, "0以上、1兆 (1000000000000) 以下の数値にしてください",
                    "expected a number from 0 to 1e12");
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
        problem_then(c, &KEY_NOT_USED, path, "{ \"R6\": \"...\" } のような形で指定してください",
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

static bool get_bool(struct ctx *c, const cJSON *v, const char *path, bool *out) {
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return true;
    }
    problem(c, path, "true か false で指定してください (引用符なし)",
            "expected true or false, got %s", type_name(v));
    return false;
}

/* --- keys ----------------------------------------------------------------- */

/* Edit distance with transpositions (optimal string alignment), for the
 * nearest known key; keys longer than 31 bytes are never near. */
static size_t key_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > 31 || m > 31) return 99;
    size_t d[32][32];
    for (size_t i = 0; i <= n; i++) d[i][0] = i;
    for (size_t j = 0; j <= m; j++) d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1, best = d[i - 1][j - 1] + cost;
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

/* The known key `key` is most likely a misspelling of, or NULL. */
static const char *nearest_key(const char *key, const char *const *known) {
    const char *best = NULL;
    size_t best_d = 99;
    char lower[32];
    size_t n = strlen(key);
    if (n == 0 || n >= sizeof lower) return NULL;
    for (size_t i = 0; i <= n; i++) lower[i] = (char)(key[i] >= 'A' && key[i] <= 'Z' ? key[i] + 32 : key[i]);
    for (size_t i = 0; known[i]; i++) {
        size_t len = strlen(known[i]);
        size_t limit = len <= 4 ? 1 : 2;
        size_t d = strcmp(lower, known[i]) == 0 ? 1 : key_distance(key, known[i]);
        if (d <= limit && d < best_d) best = known[i], best_d = d;
    }
    return best;
}

/* Reports every key of obj that is not in the NULL-terminated list, with
 * the known key it is probably a misspelling of. Returns the number of
 * unknown keys near `watch` (a key whose absence changes what is shown,
 * such as an expiry), or 0. */
static int check_keys(struct ctx *c, const cJSON *obj, const char *path, const char *const *known,
                      const char *watch) {
    int near_watch = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        size_t i;
        for (i = 0; known[i]; i++)
            if (strcmp(item->string, known[i]) == 0) break;
        if (known[i]) continue;
        char p[96];
        path_key(p, sizeof p, path, item->string);
        const char *near = nearest_key(item->string, known);
        if (near == NULL) {
            problem_then(c, &IGNORED, p, "知らない項目です", "unknown key");
            continue;
        }
        char ja[200];
        snprintf(ja, sizeof ja, "知らない項目です。%s の書き間違いではありませんか", near);
        bool ends = watch && !strcmp(near, watch) &&
                    cJSON_GetObjectItemCaseSensitive(obj, watch) == NULL;
        static const struct outcome no_end = {
            "この項目は無視します。終わりの日時がないので、ずっと表示されます",
            "ignored: without an end it would be shown for good"};
        if (ends && !strcmp(watch, "until")) {
            near_watch++; /* the caller refuses the item */
            continue;
        }
        problem_then(c, ends ? &no_end : &IGNORED, p, ja, "unknown key: did you mean %s?", near);
    }
    return near_watch;
}

/* Keys may repeat in JSON text and cJSON keeps every copy: the first one
 * counts. Every later copy is reported with both values and taken out of
 * the tree, so the parser below sees each key once. Sorting finds them in
 * O(n log n), whatever the size of an object. */
struct key_ref {
    const char *key;
    size_t index;
};

static int key_ref_cmp(const void *pa, const void *pb) {
    const struct key_ref *a = pa, *b = pb;
    int d = strcmp(a->key, b->key);
    return d ? d : (a->index > b->index) - (a->index < b->index);
}

static void report_repeat(struct ctx *c, const char *path, const cJSON *first, const cJSON *item) {
    char a[64], b[64], ja[320];
    value_text(a, sizeof a, first);
    value_text(b, sizeof b, item);
    snprintf(ja, sizeof ja, "同じ項目が2回以上あります。最初の値 %s を使い、後の値 %s は使いません",
             a, b);
    problem_then(c, NULL, path, ja,
                 "the key appears more than once: the first value %s is used, the later %s is not",
                 a, b);
}

static void drop_repeated_keys(struct ctx *c, cJSON *node, const char *path, int depth) {
    if (depth > 16 || !(cJSON_IsObject(node) || cJSON_IsArray(node))) return;
    size_t n = 0;
    for (cJSON *item = node->child; item; item = item->next) n++;
    cJSON **items = xmalloc(sizeof *items * (n ? n : 1));
    const cJSON **first = xcalloc(n ? n : 1, sizeof *first);
    size_t i = 0;
    for (cJSON *item = node->child; item; item = item->next) items[i++] = item;
    if (cJSON_IsObject(node) && n > 1) {
        struct key_ref *refs = xmalloc(sizeof *refs * n);
        for (i = 0; i < n; i++) refs[i] = (struct key_ref){items[i]->string ? items[i]->string : "", i};
        qsort(refs, n, sizeof *refs, key_ref_cmp);
        size_t run = 0; /* where the run of equal keys began */
        for (i = 1; i < n; i++) {
            if (strcmp(refs[i - 1].key, refs[i].key) != 0) run = i;
            else first[refs[i].index] = items[refs[run].index];
        }
        free(refs);
    }
    for (i = 0; i < n; i++) {
        char p[96];
        if (cJSON_IsArray(node)) path_index(p, sizeof p, path, i);
        else path_key(p, sizeof p, path, items[i]->string ? items[i]->string : "");
        if (first[i]) {
            report_repeat(c, p, first[i], items[i]);
            cJSON_Delete(cJSON_DetachItemViaPointer(node, items[i]));
        } else {
            drop_repeated_keys(c, items[i], p, depth + 1);
        }
    }
    free(first);
    free(items);
}

/* Requires obj to be an object; reports it otherwise. */
static bool want_object(struct ctx *c, const cJSON *obj, const char *path, const char *what_ja) {
    if (cJSON_IsObject(obj)) return true;
    char ja[160];
    snprintf(ja, sizeof ja, "%sは { } で指定してください", what_ja);
    problem(c, path, ja, "expected an object, got %s", type_name(obj));
    return false;
}

/* --- measures ------------------------------------------------------------- */

static bool valid_measure_id(const char *s) {
    /* "1-1" .. "99-99" */
    size_t i = 0, a = 0, b = 0;
    while (s[i] >= '0' && s[i] <= '9') i++, a++;
    if (a < 1 || a > 2 || s[i] != '-') return false;
    i++;
    while (s[i] >= '0' && s[i] <= '9') i++, b++;
    return b >= 1 && b <= 2 && s[i] == '\0';
}

/* A required text of an item: reported when missing or bad. */
static const char *required_text(struct ctx *c, const cJSON *obj, const char *path,
                                 const char *key, const char *what_ja, size_t max, bool multiline) {
    char p[96], ja[160];
    path_key(p, sizeof p, path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (v == NULL) {
        snprintf(ja, sizeof ja, "%s (%s) がありません", what_ja, key);
        problem(c, p, ja, "missing");
        return NULL;
    }
    return get_text(c, v, p, max, multiline);
}

/* id, name and field: a measure without any of them is not shown. */
static bool measure_identity(struct ctx *c, const cJSON *obj, const char *path,
                             struct feed_measure *m) {
    char p[96];
    bool ok = true;
    m->id = required_text(c, obj, path, "id", "施策番号", MAX_ID, false);
    if (m->id && !valid_measure_id(m->id)) {
        path_key(p, sizeof p, path, "id");
        problem(c, p, "施策番号は 1-1 のように書いてください", "expected an id like \"1-1\"");
        m->id = NULL;
    }
    m->name = required_text(c, obj, path, "name", "施策名", MAX_NAME, false);
    const char *field = required_text(c, obj, path, "field", "分野", MAX_SHORT, false);
    if (field) {
        int f;
        for (f = 0; f < FEED_FIELD_COUNT; f++)
            if (strcmp(field, field_names[f]) == 0) break;
        if (f == FEED_FIELD_COUNT) {
            path_key(p, sizeof p, path, "field");
            problem(c, p, "分野は 住民DX・庁内DX・地域DX のどれかです", "expected 住民DX, 庁内DX or 地域DX");
            ok = false;
        }
        m->field = (enum feed_field)f;
    }
    return ok && m->id && m->name && field;
}

/* plan: rows of fiscal year -> text. */
static void measure_plan(struct ctx *c, const cJSON *v, const char *path, struct feed_measure *m) {
    if (!cJSON_IsArray(v)) {
        problem_then(c, &KEY_NOT_USED, path, "配列 [ ] で指定してください",
                     "expected an array, got %s", type_name(v));
        return;
    }
    int n = cJSON_GetArraySize(v);
    if (n > MAX_PLAN_ROWS) {
        static const struct outcome rest = {"先頭の10行だけを使い、11行目からは表示しません",
                                            "only the first 10 rows are shown"};
        char ja[160];
        snprintf(ja, sizeof ja, "行が多すぎます: %d行あります。%d行までです", n, MAX_PLAN_ROWS);
        problem_then(c, &rest, path, ja, "too many rows: %d, at most %d", n, MAX_PLAN_ROWS);
        n = MAX_PLAN_ROWS;
    }
    m->plan = arena_alloc(c->arena, sizeof(struct feed_plan_row) * (size_t)(n ? n : 1));
    const cJSON *row;
    int i = 0;
    cJSON_ArrayForEach(row, v) {
        if (i >= n) break;
        char rp[96];
        path_index(rp, sizeof rp, path, (size_t)i++);
        get_year_texts(c, row, rp, MAX_SHORT, m->plan[m->n_plan].by_year);
        m->n_plan++;
    }
}

static void measure_metric(struct ctx *c, const cJSON *v, const char *path, struct feed_measure *m) {
    static const char *const known[] = {"name", "unit", NULL};
    if (!cJSON_IsObject(v)) {
        problem_then(c, &KEY_NOT_USED, path, "{ \"name\": ..., \"unit\": ... } で指定してください",
                     "expected an object, got %s", type_name(v));
        return;
    }
    check_keys(c, v, path, known, NULL);
    char p[96];
    m->metric_name = required_text(c, v, path, "name", "指標の名前", MAX_SHORT, false);
    path_key(p, sizeof p, path, "unit");
    const cJSON *mu = cJSON_GetObjectItemCaseSensitive(v, "unit");
    m->unit = mu ? get_text(c, mu, p, MAX_UNIT, false) : NULL;
}

/* The optional parts of a measure; a bad one is left out, the measure stays. */
static void measure_details(struct ctx *c, const cJSON *obj, const char *path,
                            struct feed_measure *m) {
    char p[96];
    const cJSON *v;
#define FIELD(key) (path_key(p, sizeof p, path, key), v = cJSON_GetObjectItemCaseSensitive(obj, key))
    if (FIELD("departments")) m->n_departments = get_text_list(c, v, p, MAX_SHORT, &m->departments);
    if (FIELD("description")) m->n_description = get_text_list(c, v, p, MAX_TEXT, &m->description);
    if (FIELD("effects")) m->n_effects = get_text_list(c, v, p, MAX_TEXT, &m->effects);
    if (FIELD("plan")) measure_plan(c, v, p, m);
    if (FIELD("metric")) measure_metric(c, v, p, m);
    if (FIELD("targets")) get_series(c, v, p, &m->targets);
    if (FIELD("actuals")) get_series(c, v, p, &m->actuals);
    if (FIELD("actual_notes")) get_year_texts(c, v, p, MAX_SHORT, m->actual_notes);
    if (FIELD("related")) m->related = get_text(c, v, p, MAX_TEXT, false);
    if (FIELD("headline")) get_bool(c, v, p, &m->headline);
#undef FIELD
}

static bool parse_measure(struct ctx *c, const cJSON *obj, const char *path,
                          struct feed_measure *m) {
    static const char *const known[] = {"id", "name", "field", "departments", "description",
                                        "effects", "plan", "metric", "targets", "actuals",
                                        "actual_notes", "related", "headline", NULL};
    c->then = &MEASURE_DROPPED;
    if (!want_object(c, obj, path, "施策")) return false;
    memset(m, 0, sizeof *m);
    if (!measure_identity(c, obj, path, m)) return false;
    if (feed_find_measure(c->feed, m->id)) {
        char ip[96];
        path_key(ip, sizeof ip, path, "id");
        problem(c, ip, "同じ施策番号が前にもあります", "duplicate id");
        return false;
    }
    check_keys(c, obj, path, known, NULL);
    c->then = &NOT_USED;
    measure_details(c, obj, path, m);
    if (m->unit == NULL) m->unit = "";
    if (feed_measure_has_numbers(m) && m->metric_name == NULL) {
        static const struct outcome generic = {"「目標値と実績値」という名前で表示します",
                                               "shown as 目標値と実績値"};
        char p[96];
        path_key(p, sizeof p, path, "metric");
        problem_then(c, &generic, p, "目標値・実績値には指標 (metric) の名前と単位が必要です",
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
static const char *get_time(struct ctx *c, const cJSON *v, const char *path, bool end_of_day,
                            time_t *out) {
    const char *s = get_text(c, v, path, 40, false);
    if (s == NULL) return NULL;
    if (!util_parse_iso8601(s, out)) {
        problem(c, path, "日付は 2026-11-24 または 2026-11-24T09:00 の形で書いてください",
                "expected a date like 2026-11-24 or a date-time like 2026-11-24T09:00");
        return NULL;
    }
    if (end_of_day && strlen(s) == 10) *out += 86400;
    return s;
}

/* valid_from / valid_until of an item (with the given key names). */
static bool get_validity(struct ctx *c, const cJSON *obj, const char *path, const char *from_key,
                         const char *until_key, struct feed_validity *v) {
    char p[96];
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, from_key);
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(obj, until_key);
    memset(v, 0, sizeof *v);
    path_key(p, sizeof p, path, from_key);
    if (f && !(v->has_from = get_time(c, f, p, false, &v->from) != NULL)) return false;
    path_key(p, sizeof p, path, until_key);
    if (u && !(v->has_until = (v->until_text = get_time(c, u, p, true, &v->until)) != NULL))
        return false;
    if (v->has_from && v->has_until && v->until <= v->from) {
        char ja[160];
        snprintf(ja, sizeof ja, "終わり (%s) が始まり (%s) より前です", until_key, from_key);
        problem(c, p, ja, "%s is not after %s", until_key, from_key);
        return false;
    }
    return true;
}

/* An http(s) URL without spaces or control characters. */
static const char *get_url(struct ctx *c, const cJSON *v, const char *path) {
    const char *s = get_text(c, v, path, MAX_URL, false);
    if (s == NULL) return NULL;
    size_t scheme = strncmp(s, "https://", 8) == 0 ? 8 : strncmp(s, "http://", 7) == 0 ? 7 : 0;
    bool ok = scheme > 0 && s[scheme] != '\0';
    for (const char *q = s; ok && *q; q++)
        if (*q == ' ' || (unsigned char)*q < 0x21) ok = false;
    if (!ok) {
        problem(c, path, "https:// で始まる URL を、空白なしで書いてください", "expected an http(s) URL");
        return NULL;
    }
    return s;
}

/* An optional "seconds": a whole number of seconds a slide stays (3-600). */
static int get_seconds(struct ctx *c, const cJSON *obj, const char *path) {
    static const struct outcome dflt = {"既定の秒数で表示します", "the default is used"};
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "seconds");
    if (v == NULL) return 0;
    char p[96];
    path_key(p, sizeof p, path, "seconds");
    const struct outcome *was = costs(c, &dflt);
    int s = 0;
    if (!cJSON_IsNumber(v))
        not_a_number(c, v, p, "表示秒数は 3〜600 の整数で書いてください", "expected whole seconds");
    else if (v->valuedouble != floor(v->valuedouble) || v->valuedouble < 3 || v->valuedouble > 600)
        problem(c, p, "表示秒数は 3〜600 の整数で書いてください", "expected whole seconds from 3 to 600");
    else s = (int)v->valuedouble;
    costs(c, was);
    return s;
}

/* "08:30-17:15" into minutes of the day; reported and always when bad. */
static void get_show_hours(struct ctx *c, const cJSON *v, const char *path,
                           struct feed_announcement *a) {
    static const struct outcome always = {"いつでも表示します", "shown at any hour"};
    const struct outcome *was = costs(c, &always);
    const char *s = get_text(c, v, path, 16, false);
    int h1, m1, h2, m2, n = 0;
    if (s && sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) == 4 && s[n] == '\0' &&
        n == 11 && h1 <= 23 && m1 <= 59 && h2 <= 24 && m2 <= 59 && (h2 < 24 || m2 == 0) &&
        h1 * 60 + m1 < h2 * 60 + m2) {
        a->hours_from = h1 * 60 + m1;
        a->hours_until = h2 * 60 + m2;
    } else if (s) {
        problem(c, path, "時間は 08:30-17:15 の形で書いてください (半角、始まりが先)",
                "expected hours like 08:30-17:15");
    }
    costs(c, was);
}

static void get_show_days(struct ctx *c, const cJSON *v, const char *path,
                          struct feed_announcement *a) {
    static const struct outcome every = {"毎日表示します", "shown every day"};
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
        problem_then(c, &every, path, "曜日は [\"mon\", \"tue\"] のように書いてください",
                     "expected days like [\"mon\", \"tue\"]");
    else a->days = mask;
}

static void get_priority(struct ctx *c, const cJSON *v, const char *path,
                         struct feed_announcement *a) {
    static const struct outcome normal = {"normal として扱います", "normal is used"};
    const struct outcome *was = costs(c, &normal);
    const char *s = get_text(c, v, path, 16, false);
    if (s && !strcmp(s, "high")) a->priority = FEED_PRIORITY_HIGH;
    else if (s && !strcmp(s, "low")) a->priority = FEED_PRIORITY_LOW;
    else if (s && strcmp(s, "normal"))
        problem(c, path, "優先度は high・normal・low のどれかです", "expected high, normal or low");
    costs(c, was);
}

static bool parse_announcement(struct ctx *c, const cJSON *obj, const char *path,
                               struct feed_announcement *a) {
    static const char *const known[] = {"title", "body", "image", "url", "priority", "valid_from",
                                        "valid_until", "show_hours", "show_days", "seconds", NULL};
    char p[96];
    const cJSON *v;
    c->then = &NEWS_DROPPED;
    if (!want_object(c, obj, path, "お知らせ")) return false;
    memset(a, 0, sizeof *a);
    check_keys(c, obj, path, known, "valid_until");
#define FIELD(key) (path_key(p, sizeof p, path, key), v = cJSON_GetObjectItemCaseSensitive(obj, key))
    if ((a->title = required_text(c, obj, path, "title", "題名", MAX_SHORT, false)) == NULL)
        return false;
    if (FIELD("body") && (a->body = get_text(c, v, p, MAX_TEXT, true)) == NULL) return false;
    if (FIELD("image") && (a->image = get_text(c, v, p, MAX_MEDIA_ID, false)) == NULL) return false;
    if (FIELD("url") && (a->url = get_url(c, v, p)) == NULL) return false;
    if (!get_validity(c, obj, path, "valid_from", "valid_until", &a->valid)) return false;
    a->seconds = get_seconds(c, obj, path);
    a->hours_from = 0;
    a->hours_until = 24 * 60;
    a->days = 0x7F;
    a->priority = FEED_PRIORITY_NORMAL;
    if (FIELD("show_hours")) get_show_hours(c, v, p, a);
    if (FIELD("show_days")) get_show_days(c, v, p, a);
    if (FIELD("priority")) get_priority(c, v, p, a);
#undef FIELD
    return true;
}

static bool parse_ticker(struct ctx *c, const cJSON *v, const char *path, struct feed_ticker *t) {
    static const char *const known[] = {"text", "valid_from", "valid_until", NULL};
    c->then = &TICKER_DROPPED;
    memset(t, 0, sizeof *t);
    if (cJSON_IsString(v)) return (t->text = get_text(c, v, path, MAX_LINE, false)) != NULL;
    if (!cJSON_IsObject(v)) {
        problem(c, path, "テロップは文字列か { } で指定してください",
                "expected a string or an object, got %s", type_name(v));
        return false;
    }
    check_keys(c, v, path, known, "valid_until");
    if ((t->text = required_text(c, v, path, "text", "文", MAX_LINE, false)) == NULL) return false;
    return get_validity(c, v, path, "valid_from", "valid_until", &t->valid);
}

static enum feed_alert_level alert_level(struct ctx *c, const cJSON *obj, bool *ok) {
    char p[96];
    path_key(p, sizeof p, "alert", "level");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "level");
    const char *lv = v ? get_text(c, v, p, 16, false) : "warning";
    *ok = lv != NULL;
    if (lv == NULL) return FEED_ALERT_WARNING;
    if (!strcmp(lv, "info")) return FEED_ALERT_INFO;
    if (!strcmp(lv, "warning")) return FEED_ALERT_WARNING;
    if (!strcmp(lv, "emergency")) return FEED_ALERT_EMERGENCY;
    problem(c, p, "level は info・warning・emergency のどれかです",
            "expected info, warning or emergency");
    *ok = false;
    return FEED_ALERT_WARNING;
}

static void parse_alert(struct ctx *c, const cJSON *obj, struct feed_alert *al) {
    static const char *const known[] = {"level", "title", "text", "from", "until", NULL};
    const char *path = "alert";
    char p[96];
    c->then = &ALERT_DROPPED;
    memset(al, 0, sizeof *al);
    if (cJSON_IsNull(obj)) return; /* withdrawn */
    if (!want_object(c, obj, path, "緊急のお知らせ")) return;
    /* A misspelt "until" would hold the screen for good: the alert is refused. */
    int misspelt = check_keys(c, obj, path, known, "until");
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        const char *near = misspelt ? nearest_key(item->string, known) : NULL;
        if (near == NULL || strcmp(near, "until") != 0 || !strcmp(item->string, "until")) continue;
        path_key(p, sizeof p, path, item->string);
        problem(c, p,
                "知らない項目です。until の書き間違いではありませんか。このままでは期限のない"
                "緊急のお知らせになり、画面に出たままになります",
                "unknown key: did you mean until? The alert would never end");
    }
    if (misspelt) return;
    bool ok;
    al->level = alert_level(c, obj, &ok);
    if (!ok) return;
    if ((al->text = required_text(c, obj, path, "text", "本文", MAX_LINE, true)) == NULL) return;
    path_key(p, sizeof p, path, "title");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "title");
    if (v && (al->title = get_text(c, v, p, MAX_SHORT, false)) == NULL) return;
    if (!get_validity(c, obj, path, "from", "until", &al->valid)) return;
    al->present = true;
}

static bool valid_media_id(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '-' ||
              s[n] == '_'))
            return false;
    return n >= 1 && n <= MAX_MEDIA_ID;
}

static bool parse_media(struct ctx *c, const cJSON *obj, const char *path, struct feed_media *m) {
    static const char *const known[] = {"id", "url", "sha256", "caption", "valid_from",
                                        "valid_until", "seconds", NULL};
    char p[96];
    c->then = &MEDIA_DROPPED;
    if (!want_object(c, obj, path, "画像")) return false;
    memset(m, 0, sizeof *m);
    check_keys(c, obj, path, known, "valid_until");
    path_key(p, sizeof p, path, "id");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (v == NULL || !cJSON_IsString(v) || !valid_media_id(v->valuestring)) {
        problem(c, p, "id は英小文字・数字・-・_ で32文字までです", "expected an id of a-z, 0-9, - and _");
        return false;
    }
    m->id = arena_strdup(c->arena, v->valuestring);
    for (size_t j = 0; j < c->feed->n_media; j++)
        if (!strcmp(c->feed->media[j].id, m->id)) {
            problem(c, p, "同じ id が前にもあります", "duplicate id");
            return false;
        }
    path_key(p, sizeof p, path, "url");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "url")) == NULL) {
        problem(c, p, "url がありません", "missing");
        return false;
    }
    if ((m->url = get_url(c, v, p)) == NULL) return false;
    path_key(p, sizeof p, path, "sha256");
    v = cJSON_GetObjectItemCaseSensitive(obj, "sha256");
    const char *h = v && cJSON_IsString(v) ? v->valuestring : NULL;
    bool hex = h && strlen(h) == 64;
    for (size_t i = 0; hex && i < 64; i++)
        hex = (h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f');
    if (!hex) {
        problem(c, p, "sha256 は64桁の16進数 (小文字) で書いてください (sha256sum の結果)",
                "expected 64 lowercase hex digits");
        return false;
    }
    m->sha256 = arena_strdup(c->arena, h);
    path_key(p, sizeof p, path, "caption");
    if ((v = cJSON_GetObjectItemCaseSensitive(obj, "caption")) &&
        (m->caption = get_text(c, v, p, MAX_SHORT, false)) == NULL)
        return false;
    if (!get_validity(c, obj, path, "valid_from", "valid_until", &m->valid)) return false;
    m->seconds = get_seconds(c, obj, path);
    return true;
}

static void parse_plan_info(struct ctx *c, const cJSON *obj, struct feed *f) {
    static const char *const known[] = {"title", "revision", "first_fy", "last_fy", "published",
                                        "policies", NULL};
    c->then = &NOT_USED;
    if (!cJSON_IsObject(obj)) {
        problem_then(c, &KEY_NOT_USED, "plan", "{ } で指定してください",
                     "expected an object, got %s", type_name(obj));
        return;
    }
    check_keys(c, obj, "plan", known, NULL);
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        char p[96];
        path_key(p, sizeof p, "plan", item->string);
        const char *k = item->string;
        if (!strcmp(k, "title")) {
            f->plan_title = get_text(c, item, p, MAX_NAME, false);
        } else if (!strcmp(k, "revision")) {
            f->plan_revision = get_text(c, item, p, MAX_SHORT, false);
        } else if (!strcmp(k, "published")) {
            get_text(c, item, p, MAX_SHORT, false); /* informational */
        } else if (!strcmp(k, "policies") && !cJSON_IsArray(item)) {
            problem(c, p, "配列 [ ] で指定してください", "expected an array, got %s", type_name(item));
        } else if (!strcmp(k, "first_fy") || !strcmp(k, "last_fy")) {
            int fy = cJSON_IsString(item) ? fy_from_key(item->valuestring) : 0;
            if (fy == 0) bad_year_key(c, p);
            else if (k[0] == 'f') f->first_fy = fy;
            else f->last_fy = fy;
        }
    }
    if (f->first_fy && f->last_fy && f->first_fy > f->last_fy) {
        static const struct outcome span = {"期間はデータから決めます", "the span is taken from the data"};
        problem_then(c, &span, "plan.last_fy", "終了年度が開始年度より前です",
                     "last_fy is before first_fy");
        f->first_fy = f->last_fy = 0;
    }
}

/* --- sections --------------------------------------------------------------- */

/* One item of an array section: parses obj into slot; false drops it. */
typedef bool (*item_parser)(struct ctx *c, const cJSON *obj, const char *path, void *slot,
                            size_t index);

/* An array section of the feed: at most max items of `size` bytes each,
 * into *out; the bad ones are dropped. Returns the count kept. */
static size_t parse_array(struct ctx *c, const cJSON *v, const char *key, int max, size_t size,
                          item_parser parse, void **out) {
    *out = NULL;
    c->then = &KEY_NOT_USED;
    if (!cJSON_IsArray(v)) {
        problem(c, key, "配列 [ ] で指定してください", "expected an array, got %s", type_name(v));
        return 0;
    }
    int n = cJSON_GetArraySize(v);
    if (n > max) {
        char ja[160], rest_ja[160];
        snprintf(ja, sizeof ja, "多すぎます: %d件あります。%d件までです", n, max);
        snprintf(rest_ja, sizeof rest_ja, "先頭の%d件だけを使い、%d件目からは表示しません", max, max + 1);
        struct outcome rest = {rest_ja, "only the first ones are shown"};
        problem_then(c, &rest, key, ja, "too many items: %d, at most %d", n, max);
        n = max;
    }
    char *items = arena_alloc(c->arena, size * (size_t)(n ? n : 1));
    *out = c->items = items;
    size_t kept = 0;
    int i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, v) {
        if (i >= n) break;
        char p[96];
        path_index(p, sizeof p, key, (size_t)i);
        if (parse(c, item, p, items + kept * size, (size_t)i++)) kept++;
    }
    return kept;
}

static bool measure_item(struct ctx *c, const cJSON *obj, const char *path, void *slot, size_t i) {
    (void)i;
    struct feed_measure *m = slot;
    c->feed->measures = c->items; /* the ones kept so far, for the duplicate check */
    if (!parse_measure(c, obj, path, m)) return false;
    c->feed->n_measures++; /* seen by the next one's duplicate check */
    return true;
}

static bool announcement_item(struct ctx *c, const cJSON *obj, const char *path, void *slot,
                              size_t i) {
    struct feed_announcement *a = slot;
    if (!parse_announcement(c, obj, path, a)) return false;
    a->source_index = i;
    return true;
}

static bool ticker_item(struct ctx *c, const cJSON *obj, const char *path, void *slot, size_t i) {
    struct feed_ticker *t = slot;
    if (!parse_ticker(c, obj, path, t)) return false;
    t->source_index = i;
    return true;
}

static bool media_item(struct ctx *c, const cJSON *obj, const char *path, void *slot, size_t i) {
    struct feed_media *m = slot;
    c->feed->media = c->items;
    if (!parse_media(c, obj, path, m)) return false;
    m->source_index = i;
    c->feed->n_media++;
    return true;
}

static void parse_updated_at(struct ctx *c, const cJSON *v, struct feed *f) {
    c->then = &NOT_USED;
    const char *s = get_text(c, v, "updated_at", 40, false);
    if (s && util_parse_iso8601(s, &f->updated_at)) f->has_updated_at = true;
    else if (s)
        problem(c, "updated_at", "日時は 2026-11-24T09:00:00+09:00 の形で書いてください",
                "expected a date-time like 2026-11-24T09:00:00+09:00");
}

/* An announcement's image must name a media entry. */
static void check_images(struct ctx *c, struct feed *f) {
    static const struct outcome without = {"画像なしで表示します", "shown without the image"};
    for (size_t i = 0; i < f->n_announcements; i++) {
        struct feed_announcement *a = &f->announcements[i];
        if (a->image == NULL || feed_find_media(f, a->image) >= 0) continue;
        char p[96];
        snprintf(p, sizeof p, "announcements[%zu].image", a->source_index);
        problem_then(c, &without, p, "media にない画像の id です", "no media entry has this id");
        a->image = NULL;
    }
}

static void parse_schema_ref(struct ctx *c, const cJSON *v, struct feed *f) {
    (void)f;
    if (!cJSON_IsString(v))
        problem_then(c, &IGNORED, "$schema", "スキーマの場所を文字列で書いてください",
                     "expected the schema's location as a string");
}

static void parse_publisher(struct ctx *c, const cJSON *v, struct feed *f) {
    c->then = &NOT_USED;
    f->publisher = get_text(c, v, "publisher", MAX_SHORT, false);
}

static void parse_plan_section(struct ctx *c, const cJSON *v, struct feed *f) {
    parse_plan_info(c, v, f);
}

static void parse_measures(struct ctx *c, const cJSON *v, struct feed *f) {
    void *arr;
    /* measure_item counts n_measures itself, for the duplicate check */
    parse_array(c, v, "measures", FEED_MAX_MEASURES, sizeof *f->measures, measure_item, &arr);
    f->measures = arr;
}

static void parse_announcements(struct ctx *c, const cJSON *v, struct feed *f) {
    void *arr;
    f->n_announcements = parse_array(c, v, "announcements", FEED_MAX_ANNOUNCEMENTS,
                                     sizeof *f->announcements, announcement_item, &arr);
    f->announcements = arr;
}

static void parse_ticker_section(struct ctx *c, const cJSON *v, struct feed *f) {
    void *arr;
    f->n_ticker = parse_array(c, v, "ticker", FEED_MAX_TICKER, sizeof *f->ticker, ticker_item, &arr);
    f->ticker = arr;
}

static void parse_alert_section(struct ctx *c, const cJSON *v, struct feed *f) {
    parse_alert(c, v, &f->alert);
}

static void parse_media_section(struct ctx *c, const cJSON *v, struct feed *f) {
    void *arr;
    /* media_item counts n_media itself, for the duplicate check */
    parse_array(c, v, "media", FEED_MAX_MEDIA, sizeof *f->media, media_item, &arr);
    f->media = arr;
}

/* The top-level keys and their parsers, in the order they are parsed
 * (whatever the feed's order): announcements' images are checked against
 * media after all of them. */
static const struct section {
    const char *key;
    void (*parse)(struct ctx *c, const cJSON *v, struct feed *f);
} sections[] = {
    {"$schema", parse_schema_ref},
    {"updated_at", parse_updated_at},
    {"publisher", parse_publisher},
    {"plan", parse_plan_section},
    {"measures", parse_measures},
    {"announcements", parse_announcements},
    {"ticker", parse_ticker_section},
    {"alert", parse_alert_section},
    {"media", parse_media_section},
};

/* Every section of the top-level object. */
static void parse_sections(struct ctx *c, const cJSON *root, struct feed *f) {
    static const char *const known[] = {"$schema", "schema_version", "updated_at", "publisher",
                                        "plan", "measures", "announcements", "ticker", "alert",
                                        "media", NULL};
    c->then = &IGNORED;
    check_keys(c, root, "", known, NULL);
    for (size_t i = 0; i < ARRAY_LEN(sections); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, sections[i].key);
        if (v) sections[i].parse(c, v, f); /* each says what a refused value costs */
    }
    check_images(c, f);
}

/* --- a body that cannot be read ------------------------------------------- */

/* Columns a code point takes in a terminal (East Asian wide: 2). */
static int cp_width(uint32_t cp) {
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                   (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                   (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000
               ? 2
               : 1;
}

/* The line and column (1-based, in characters) of byte off, as the path
 * of a problem; and the line itself with a caret under the mistake, into
 * detail. s is valid UTF-8. */
static void locate(const char *s, size_t len, size_t off, char *path, size_t path_size,
                   char *detail, size_t detail_size) {
    if (off > len) off = len;
    size_t line = 1, start = 0;
    for (size_t i = 0; i < off; i++)
        if (s[i] == '\n') line++, start = i + 1;
    size_t col = utf8_chars(s + start, off - start) + 1;
    snprintf(path, path_size, "%zu行目 %zu文字目 (line %zu, column %zu)", line, col, line, col);
    /* At most about 70 columns of the line, around the mistake. */
    size_t from = start;
    int width = 0;
    for (const char *q = s + start; (size_t)(q - s) < off;) {
        const char *was = q;
        width += cp_width(utf8_next(&q));
        if (q == was) break;
    }
    bool cut = false;
    while (width > 50) {
        const char *q = s + from;
        width -= cp_width(utf8_next(&q));
        from = (size_t)(q - s);
        cut = true;
    }
    char text[320] = "";
    if (cut) append(text, sizeof text, "…");
    int caret = width + (cut ? 2 : 0), shown = 0;
    for (size_t i = from; i < len && s[i] != '\n' && s[i] != '\r' && shown < 90;) {
        const char *q = s + i;
        uint32_t cp = utf8_next(&q);
        char one[8] = "";
        size_t n = (size_t)(q - (s + i));
        if (n == 0 || n > 4) break;
        if (cp == '\t') snprintf(one, sizeof one, " ");
        else memcpy(one, s + i, n);
        if (strlen(text) + strlen(one) + 4 >= sizeof text) break;
        append(text, sizeof text, one);
        shown += cp_width(cp);
        i += n;
    }
    snprintf(detail, detail_size, "%6zu | %s\n       | %*s^\n", line, text, caret, "");
}

/* Where cJSON stopped: the container around off and whether off is inside
 * a string, from a scan of s[0..off). */
struct syntax_scan {
    int depth, max_depth;
    char container; /* '{', '[' or 0 */
    bool in_string;
    size_t string_start;
};

static struct syntax_scan scan_to(const char *s, size_t off) {
    char stack[CJSON_NESTING_LIMIT + 2];
    struct syntax_scan r = {0};
    bool esc = false;
    for (size_t i = 0; i < off; i++) {
        char ch = s[i];
        if (r.in_string) {
            if (esc) esc = false;
            else if (ch == '\\') esc = true;
            else if (ch == '"') r.in_string = false;
        } else if (ch == '"') {
            r.in_string = true, r.string_start = i;
        } else if (ch == '{' || ch == '[') {
            if (r.depth < CJSON_NESTING_LIMIT + 1) stack[r.depth] = ch;
            if (++r.depth > r.max_depth) r.max_depth = r.depth;
        } else if ((ch == '}' || ch == ']') && r.depth > 0) {
            r.depth--;
        }
    }
    r.container = r.depth > 0 && r.depth <= CJSON_NESTING_LIMIT + 1 ? stack[r.depth - 1] : 0;
    return r;
}

static bool json_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* A full-width character typed where JSON wants its ASCII twin. */
static const char *fullwidth_twin(const char *s, size_t len, size_t off, const char **name) {
    static const struct { const char *fw, *ascii; } map[] = {
        {"，", ","}, {"：", ":"}, {"｛", "{"}, {"｝", "}"}, {"［", "["}, {"］", "]"},
        {"”", "\""}, {"“", "\""}, {"＂", "\""}, {"　", "空白 (スペース)"}, {"、", ","},
    };
    for (size_t i = 0; i < ARRAY_LEN(map); i++) {
        size_t n = strlen(map[i].fw);
        if (off + n <= len && memcmp(s + off, map[i].fw, n) == 0) {
            *name = map[i].fw;
            return map[i].ascii;
        }
    }
    return NULL;
}

/* Two values with nothing between them: a missing comma (or, after a key,
 * a missing colon), or before them a string that ran over a line. Sets *at
 * to where the mistake is; NULL when it is none of these. */
static const char *missing_separator(const char *s, size_t prev, char before, char cur,
                                     char container, size_t *at) {
    bool value_end = (before >= '0' && before <= '9') || before == '"' || before == 'e' ||
                     before == 'l' || before == '}' || before == ']';
    bool value_start = cur == '"' || cur == '{' || cur == '[' || cur == '-' ||
                       (cur >= '0' && cur <= '9');
    if (before == '"') {
        /* A string that ran over a line: its closing quote is missing. */
        size_t q = prev - 1;
        while (q > 0 && !(s[q - 1] == '"' && (q < 2 || s[q - 2] != '\\'))) q--;
        if (q > 0 && memchr(s + q, '\n', prev - 1 - q)) {
            *at = q - 1;
            return "文字列が \" で閉じていません (この \" に対応する \" がこの行にありません)";
        }
    }
    if (value_end && value_start && container == '{' && before == '"') {
        /* A key or a value? A key's opening quote follows { or ,. */
        size_t q = prev - 1;
        while (q > 0 && !(s[q - 1] == '"' && (q < 2 || s[q - 2] != '\\'))) q--;
        size_t k = q > 0 ? q - 1 : 0;
        while (k > 0 && json_space(s[k - 1])) k--;
        if (k > 0 && (s[k - 1] == '{' || s[k - 1] == ',')) {
            *at = prev;
            return "項目名の後にコロン : が足りません";
        }
    }
    if (value_end && value_start) {
        *at = prev;
        return "カンマ , が足りません。前の値の後に , を書いてください";
    }
    return NULL;
}

/* What went wrong at byte off where cJSON stopped, and where the mistake
 * itself is (a trailing comma is before the bracket cJSON stopped at). */
static const char *syntax_why(const char *s, size_t len, size_t off, size_t *at, char *buf,
                              size_t size) {
    struct syntax_scan sc = scan_to(s, off);
    /* Where a key should start, cJSON stops one byte past what it found. */
    if (off > 0 && !json_space(s[off - 1])) {
        struct syntax_scan one = scan_to(s, off - 1);
        size_t k = off - 1;
        while (k > 0 && json_space(s[k - 1])) k--;
        if (!one.in_string && one.container == '{' && k > 0 && (s[k - 1] == '{' || s[k - 1] == ','))
            off--, sc = one;
    }
    size_t prev = off;
    while (prev > 0 && json_space(s[prev - 1])) prev--;
    char before = prev > 0 ? s[prev - 1] : 0, cur = off < len ? s[off] : 0;
    size_t rest = off;
    while (rest < len && json_space(s[rest])) rest++;
    *at = off;
    const char *fw_name, *twin;
    if (sc.max_depth >= CJSON_NESTING_LIMIT)
        return "入れ子 ({ } や [ ]) が深すぎます。1000段までです";
    if (sc.in_string) {
        *at = sc.string_start;
        if (cur == '\\')
            return (*at = off), "文字列の中の \\ の使い方が正しくありません (\\ そのものは \\\\ と書きます)";
        return "文字列が \" で閉じていません";
    }
    if (rest >= len) {
        *at = prev > 0 ? prev - 1 : 0;
        return "ファイルが途中で終わっています。閉じる } や ] が足りません";
    }
    if ((cur == '}' || cur == ']') && before == ',') {
        *at = prev - 1;
        return "最後の項目の後にカンマ , があります。このカンマを消してください";
    }
    if ((twin = fullwidth_twin(s, len, off, &fw_name))) {
        snprintf(buf, size, "全角の「%s」です。半角の「%s」にしてください", fw_name, twin);
        return buf;
    }
    if (cur == '\'') return "文字列や項目名は \" で囲んでください (' は使えません)";
    if (before == ',' && cur >= '0' && cur <= '9' && prev >= 2 && s[prev - 2] >= '0' &&
        s[prev - 2] <= '9') {
        *at = prev - 1;
        return "数値に桁区切りのカンマは書けません (1,200 ではなく 1200 と書きます)";
    }
    const char *sep = missing_separator(s, prev, before, cur, sc.container, at);
    if (sep) return sep;
    if (sc.container == '{' && (before == '{' || before == ','))
        return "項目名は \"title\" のように \" で囲んでください";
    if (cur == 'T' || cur == 'F' || cur == 'N')
        return "true・false・null は小文字で書きます";
    if (before == ':' || before == '[' || before == ',')
        return "値の書き方が正しくありません。文字列は \" で囲み、数値は半角で書きます";
    return "JSON の書き方が正しくありません。カンマ・括弧・引用符を確認してください";
}

static void syntax_problem(struct ctx *c, const char *s, size_t len, size_t off) {
    char buf[160], path[96], detail[sizeof c->report->detail];
    size_t at = off;
    const char *why = syntax_why(s, len, off, &at, buf, sizeof buf);
    locate(s, len, at, path, sizeof path, detail, sizeof detail);
    problem_then(c, &FILE_REFUSED, path, why, "not valid JSON here");
    if (c->report) snprintf(c->report->detail, sizeof c->report->detail, "%s", detail);
}

/* Byte offset of the first byte that is not UTF-8 (len if none found). */
static size_t first_bad_utf8(const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        size_t n = 1;
        while (i + n <= len && n <= 4 && !utf8_valid(s + i, n)) n++;
        if (n > 4 || i + n > len) return i;
        i += n;
    }
    return len;
}

/* True when every byte fits Shift_JIS and some are two-byte characters. */
static bool looks_shift_jis(const unsigned char *s, size_t len) {
    size_t pairs = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = s[i];
        if (b < 0x80 || (b >= 0xA1 && b <= 0xDF)) continue;
        if (!((b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC)) || i + 1 >= len) return false;
        unsigned char t = s[++i];
        if (t < 0x40 || t == 0x7F || t > 0xFC) return false;
        pairs++;
    }
    return pairs > 0;
}

static void not_utf8_problem(struct ctx *c, const char *s, size_t len) {
    size_t bad = first_bad_utf8(s, len), line = 1, start = 0;
    for (size_t i = 0; i < bad; i++)
        if (s[i] == '\n') line++, start = i + 1;
    size_t col = bad > start ? utf8_chars(s + start, bad - start) + 1 : 1;
    char path[96];
    snprintf(path, sizeof path, "%zu行目 %zu文字目 (line %zu, column %zu)", line, col, line, col);
    bool sjis = looks_shift_jis((const unsigned char *)s, len);
    problem_then(c, &FILE_REFUSED, path,
                 sjis ? "文字コードが UTF-8 ではありません (Shift_JIS で保存されています)。UTF-8 で保存し直してください"
                      : "文字コードが UTF-8 ではありません。UTF-8 で保存し直してください",
                 sjis ? "the file is Shift_JIS, not UTF-8: save it as UTF-8"
                      : "the body is not UTF-8: save it as UTF-8");
    if (c->report)
        snprintf(c->report->detail, sizeof c->report->detail,
                 "UTF-8 で保存するには / to save as UTF-8:\n"
                 "  メモ帳: 「ファイル」→「名前を付けて保存」→ 下の「文字コード」で「UTF-8」(BOM 付きでも可) → 保存\n"
                 "  VS Code: 右下の「Shift JIS」をクリック →「エンコード付きで保存」→「UTF-8」\n"
                 "  Excel: JSON は Excel で保存しないでください。内容をメモ帳か VS Code に貼り付けて UTF-8 で保存します\n");
}

/* --- the whole feed -------------------------------------------------------- */

/* The body as a cJSON tree, or NULL with the problem reported. */
static cJSON *parse_body(struct ctx *c, const char *json, size_t len, char **copy,
                         enum feed_status *st) {
    c->then = &FILE_REFUSED;
    if (len > FEED_MAX_BYTES) {
        problem(c, "(全体 / whole file)", "ファイルが大きすぎます (1 MiB = 1048576 バイトまで)", "larger than 1 MiB");
        *st = FEED_ERR_TOO_BIG;
        return NULL;
    }
    if (len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0) json += 3, len -= 3; /* BOM */
    if (!utf8_valid(json, len)) {
        not_utf8_problem(c, json, len);
        *st = FEED_ERR_NOT_UTF8;
        return NULL;
    }
    /* A NUL-terminated copy, and its length counted with the NUL: with
     * require_null_terminated, cJSON 1.7.15 rejects a document whose last
     * byte is at buffer_length (it must see the terminator inside the
     * buffer). An embedded NUL was refused above by utf8_valid(). */
    *copy = xmalloc(len + 1);
    memcpy(*copy, json, len);
    (*copy)[len] = '\0';
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(*copy, len + 1, &end, 1);
    if (root == NULL) {
        size_t off = end && end >= *copy && end <= *copy + len ? (size_t)(end - *copy) : 0;
        syntax_problem(c, *copy, len, off);
        *st = FEED_ERR_NOT_JSON;
        return NULL;
    }
    if (!cJSON_IsObject(root)) {
        problem(c, "(全体 / whole file)", "全体を { } で囲んだオブジェクトにしてください",
                "the top level must be an object");
        *st = FEED_ERR_SCHEMA;
        cJSON_Delete(root);
        return NULL;
    }
    drop_repeated_keys(c, root, "", 0);
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(root, "schema_version");
    if (!cJSON_IsNumber(ver) || ver->valuedouble != FEED_SCHEMA_VERSION) {
        problem(c, "schema_version",
                ver ? "schema_version は 1 にしてください" : "schema_version がありません。\"schema_version\": 1 と書いてください",
                "schema_version must be 1");
        *st = FEED_ERR_SCHEMA;
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}

/* The plan's span from the data when the plan does not say. */
static void derive_span(struct feed *f) {
    if (f->first_fy && f->last_fy) return;
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

enum feed_status feed_parse(const char *json, size_t len, struct feed_report *report,
                            struct feed **out) {
    struct ctx c = {.report = report};
    enum feed_status st = FEED_OK;
    char *copy = NULL;
    *out = NULL;
    if (report) memset(report, 0, sizeof *report);
    cJSON *root = parse_body(&c, json, len, &copy, &st);
    if (root == NULL) {
        free(copy);
        return st;
    }
    c.arena = arena_new();
    struct feed *f = xcalloc(1, sizeof *f);
    f->arena = c.arena;
    f->schema_version = FEED_SCHEMA_VERSION;
    c.feed = f;
    parse_sections(&c, root, f);
    cJSON_Delete(root);
    free(copy);
    if (f->n_measures == 0) {
        problem_then(&c, &FILE_REFUSED, "measures", "表示できる施策が1件もありません",
                     "no usable measure in the feed");
        feed_free(f); /* owns the arena */
        return FEED_ERR_EMPTY;
    }
    derive_span(f);
    *out = f;
    return c.problems ? FEED_PROBLEMS : FEED_OK;
}

/* One item whose end has passed at now. */
static void expired(struct ctx *c, const char *section, size_t index, const char *key,
                    const struct feed_validity *v, const struct outcome *then, time_t now) {
    if (!v->has_until || now < v->until) return;
    char p[96], ja[200];
    if (index == (size_t)-1) snprintf(p, sizeof p, "%s.%s", section, key);
    else snprintf(p, sizeof p, "%s[%zu].%s", section, index, key);
    snprintf(ja, sizeof ja, "表示期間が %s で終わっています", v->until_text ? v->until_text : "");
    problem_then(c, then, p, ja, "its end (%s) has passed", v->until_text ? v->until_text : "");
}

size_t feed_check_expired(const struct feed *f, time_t now, struct feed_report *report) {
    struct ctx c = {.report = report};
    for (size_t i = 0; i < f->n_announcements; i++)
        expired(&c, "announcements", f->announcements[i].source_index, "valid_until",
                &f->announcements[i].valid, &NEWS_DROPPED, now);
    for (size_t i = 0; i < f->n_ticker; i++)
        expired(&c, "ticker", f->ticker[i].source_index, "valid_until", &f->ticker[i].valid,
                &TICKER_DROPPED, now);
    for (size_t i = 0; i < f->n_media; i++)
        expired(&c, "media", f->media[i].source_index, "valid_until", &f->media[i].valid,
                &MEDIA_DROPPED, now);
    if (f->alert.present)
        expired(&c, "alert", (size_t)-1, "until", &f->alert.valid, &ALERT_DROPPED, now);
    return c.problems;
}

enum feed_status feed_parse_default(struct feed_report *report, struct feed **out) {
    return feed_parse((const char *)feed_default_json, feed_default_json_len, report, out);
}

void feed_free(struct feed *feed) {
    if (feed == NULL) return;
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

int feed_find_media(const struct feed *f, const char *id) {
    for (size_t i = 0; i < f->n_media; i++)
        if (strcmp(f->media[i].id, id) == 0) return (int)i;
    return -1;
}

const char *feed_source_name(enum feed_source s) {
    switch (s) {
    case FEED_SOURCE_EMBEDDED: return "embedded";
    case FEED_SOURCE_FILE: return "file";
    case FEED_SOURCE_CACHE: return "cache";
    case FEED_SOURCE_PREVIOUS: return "previous";
    case FEED_SOURCE_NETWORK: return "network";
    }
    return "?";
}
