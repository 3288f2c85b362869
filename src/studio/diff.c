/* diff: what a publish changes, in words a member of staff reads before
 * pressing the button: 「1-1 R7年度の実績: なし → 104件」. Works on the JSON
 * trees (measures by id, announcements by title, then by place). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "studio.h"
#include "util.h"

static const cJSON *get(const cJSON *o, const char *k) {
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *str(const cJSON *o, const char *k) {
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void say(cJSON *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(cJSON *out, const char *fmt, ...) {
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (cJSON_GetArraySize(out) < 500) cJSON_AddItemToArray(out, cJSON_CreateString(line));
}

/* A short printable form of a value, cut to about 40 characters. */
static void show(const cJSON *v, const char *unit, char *buf, size_t size) {
    if (v == NULL || cJSON_IsNull(v)) {
        snprintf(buf, size, "なし");
    } else if (cJSON_IsNumber(v)) {
        fmt_value(buf, size, v->valuedouble, unit);
    } else if (cJSON_IsString(v)) {
        const char *s = v->valuestring;
        size_t n = 0, cp = 0;
        while (s[n] && cp < 40) {
            unsigned char c = (unsigned char)s[n];
            n += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
            cp++;
        }
        if (n > strlen(s)) n = strlen(s);
        snprintf(buf, size, "「%.*s%s」", (int)n, s, s[n] ? "…" : "");
    } else if (cJSON_IsBool(v)) {
        snprintf(buf, size, "%s", cJSON_IsTrue(v) ? "はい" : "いいえ");
    } else {
        char *t = cJSON_PrintUnformatted(v);
        util_snprintf_cut(buf, size, "%.60s", t ? t : "?");
        free(t);
    }
}

static bool same(const cJSON *a, const cJSON *b) {
    if (a == NULL || cJSON_IsNull(a)) return b == NULL || cJSON_IsNull(b);
    if (b == NULL) return false;
    return cJSON_Compare(a, b, true);
}

static int fy_num(const char *k) {
    long v;
    return k[0] == 'R' && util_parse_long(k + 1, 1, 99, &v) ? (int)v : 1000;
}

/* Year-keyed numbers or notes ("targets", "actuals", "actual_notes"). */
static void years(cJSON *out, const char *id, const cJSON *a, const cJSON *b, const char *what,
                  const char *unit) {
    const char *keys[64];
    int n = 0;
    const cJSON *it;
    const cJSON *both[2] = {a, b};
    for (int s = 0; s < 2; s++) {
        if (!cJSON_IsObject(both[s])) continue;
        cJSON_ArrayForEach(it, both[s]) {
            bool seen = false;
            for (int i = 0; i < n; i++) seen |= strcmp(keys[i], it->string) == 0;
            if (!seen && n < 64) keys[n++] = it->string;
        }
    }
    for (int i = 1; i < n; i++) /* by fiscal year */
        for (int j = i; j > 0 && fy_num(keys[j - 1]) > fy_num(keys[j]); j--) {
            const char *t = keys[j];
            keys[j] = keys[j - 1];
            keys[j - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        const cJSON *x = get(a, keys[i]), *y = get(b, keys[i]);
        if (same(x, y)) continue;
        char from[160], to[160];
        show(x, unit, from, sizeof from);
        show(y, unit, to, sizeof to);
        say(out, "%s %s年度の%s: %s → %s", id, keys[i], what, from, to);
    }
}

static void field(cJSON *out, const char *who, const char *what, const cJSON *x, const cJSON *y,
                  bool long_text) {
    if (same(x, y)) return;
    if (long_text && x && y && !cJSON_IsNull(x) && !cJSON_IsNull(y)) {
        say(out, "%sの%sを書き換え", who, what);
        return;
    }
    char from[160], to[160];
    show(x, NULL, from, sizeof from);
    show(y, NULL, to, sizeof to);
    say(out, "%sの%s: %s → %s", who, what, from, to);
}

static void measures(cJSON *out, const cJSON *a, const cJSON *b) {
    const cJSON *m;
    cJSON_ArrayForEach(m, b) {
        const char *id = str(m, "id");
        if (id == NULL) continue;
        const cJSON *o = NULL, *x;
        cJSON_ArrayForEach(x, a) {
            const char *xid = str(x, "id");
            if (xid && strcmp(xid, id) == 0) {
                o = x;
                break;
            }
        }
        if (o == NULL) {
            say(out, "施策 %s を追加: %s", id, str(m, "name") ? str(m, "name") : "");
            continue;
        }
        const char *unit = str(get(m, "metric"), "unit");
        char who[64];
        snprintf(who, sizeof who, "%s ", id); /* "1-3 の単位: ..." like "1-3 R7年度の実績: ..." */
        field(out, who, "名称", get(o, "name"), get(m, "name"), false);
        field(out, who, "分野", get(o, "field"), get(m, "field"), false);
        field(out, who, "指標", get(get(o, "metric"), "name"), get(get(m, "metric"), "name"), false);
        field(out, who, "単位", get(get(o, "metric"), "unit"), get(get(m, "metric"), "unit"), false);
        if (!same(get(o, "headline"), get(m, "headline")))
            say(out, "%s の「まとめ」への表示: %s → %s", id,
                cJSON_IsTrue(get(o, "headline")) ? "する" : "しない",
                cJSON_IsTrue(get(m, "headline")) ? "する" : "しない");
        years(out, id, get(o, "targets"), get(m, "targets"), "目標", unit);
        years(out, id, get(o, "actuals"), get(m, "actuals"), "実績", unit);
        years(out, id, get(o, "actual_notes"), get(m, "actual_notes"), "実績の注記", NULL);
        static const char *const texts[][2] = {{"departments", "担当部署"},
                                               {"description", "施策内容"},
                                               {"effects", "期待される効果"},
                                               {"plan", "年度計画"},
                                               {"related", "その他関連事項"}};
        for (size_t i = 0; i < ARRAY_LEN(texts); i++)
            field(out, who, texts[i][1], get(o, texts[i][0]), get(m, texts[i][0]), true);
    }
    cJSON_ArrayForEach(m, a) {
        const char *id = str(m, "id");
        bool kept = false;
        const cJSON *x;
        cJSON_ArrayForEach(x, b) kept |= id && str(x, "id") && strcmp(str(x, "id"), id) == 0;
        if (id && !kept) say(out, "施策 %s を削除: %s", id, str(m, "name") ? str(m, "name") : "");
    }
}

static void announcement_fields(cJSON *out, const cJSON *o, const cJSON *n) {
    char who[200];
    char t[160];
    show(get(n, "title"), NULL, t, sizeof t);
    snprintf(who, sizeof who, "お知らせ%s", t);
    static const char *const keys[][2] = {{"title", "題名"},        {"body", "本文"},
                                          {"url", "URL"},           {"image", "画像"},
                                          {"priority", "重要度"},   {"valid_from", "表示開始"},
                                          {"valid_until", "表示終了"}, {"show_hours", "表示する時間"},
                                          {"show_days", "表示する曜日"}, {"seconds", "表示秒数"}};
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        field(out, who, keys[i][1], get(o, keys[i][0]), get(n, keys[i][0]), i == 1);
}

static void announcements(cJSON *out, const cJSON *a, const cJSON *b) {
    int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
    if (na > 64) na = 64;
    if (nb > 64) nb = 64;
    int match[64]; /* index in a for each of b, or -1 */
    bool used[64] = {false};
    for (int j = 0; j < nb; j++) {
        match[j] = -1;
        const char *t = str(cJSON_GetArrayItem(b, j), "title");
        for (int i = 0; t && i < na; i++) {
            const char *u = str(cJSON_GetArrayItem(a, i), "title");
            if (!used[i] && u && strcmp(t, u) == 0) {
                match[j] = i;
                used[i] = true;
                break;
            }
        }
    }
    /* What is left pairs by place: an edited title is a change, not a new item. */
    for (int j = 0; j < nb; j++)
        if (match[j] < 0 && j < na && !used[j]) {
            match[j] = j;
            used[j] = true;
        }
    for (int j = 0; j < nb; j++) {
        const cJSON *n = cJSON_GetArrayItem(b, j);
        char t[160];
        show(get(n, "title"), NULL, t, sizeof t);
        if (match[j] < 0) say(out, "お知らせを追加: %s", t);
        else announcement_fields(out, cJSON_GetArrayItem(a, match[j]), n);
    }
    for (int i = 0; i < na; i++)
        if (!used[i]) {
            char t[160];
            show(get(cJSON_GetArrayItem(a, i), "title"), NULL, t, sizeof t);
            say(out, "お知らせを削除: %s", t);
        }
}

static const cJSON *ticker_text(const cJSON *v) {
    return cJSON_IsString(v) ? v : get(v, "text");
}

static void ticker(cJSON *out, const cJSON *a, const cJSON *b) {
    const cJSON *x, *y;
    cJSON_ArrayForEach(y, b) {
        bool found = false;
        cJSON_ArrayForEach(x, a) if (same(ticker_text(x), ticker_text(y))) {
            found = true;
            if (!same(x, y)) {
                char t[160];
                show(ticker_text(y), NULL, t, sizeof t);
                say(out, "テロップ%sの表示期間を変更", t);
            }
            break;
        }
        if (!found) {
            char t[160];
            show(ticker_text(y), NULL, t, sizeof t);
            say(out, "テロップを追加: %s", t);
        }
    }
    cJSON_ArrayForEach(x, a) {
        bool found = false;
        cJSON_ArrayForEach(y, b) found |= same(ticker_text(x), ticker_text(y));
        if (!found) {
            char t[160];
            show(ticker_text(x), NULL, t, sizeof t);
            say(out, "テロップを削除: %s", t);
        }
    }
}

static void alert(cJSON *out, const cJSON *a, const cJSON *b) {
    bool had = cJSON_IsObject(a), has = cJSON_IsObject(b);
    char t[160];
    if (!had && has) {
        show(get(b, "title") ? get(b, "title") : get(b, "text"), NULL, t, sizeof t);
        const char *until = str(b, "until"), *lv = str(b, "level");
        const char *level = lv && !strcmp(lv, "info") ? "お知らせ"
                            : lv && !strcmp(lv, "emergency") ? "緊急" : "警報";
        char when[40] = "期限なし";
        if (until) {
            util_snprintf_cut(when, sizeof when, "%s まで", until);
            char *tp = strchr(when, 'T');
            if (tp) *tp = ' ';
        }
        say(out, "緊急のお知らせを出す: %s (%s、%s)", t, level, when);
    } else if (had && !has) {
        show(get(a, "title") ? get(a, "title") : get(a, "text"), NULL, t, sizeof t);
        say(out, "緊急のお知らせを取り消す: %s", t);
    } else if (had && has) {
        static const char *const keys[][2] = {
            {"level", "レベル"}, {"title", "題名"}, {"text", "本文"}, {"from", "開始"}, {"until", "期限"}};
        for (size_t i = 0; i < ARRAY_LEN(keys); i++)
            field(out, "緊急のお知らせ", keys[i][1], get(a, keys[i][0]), get(b, keys[i][0]), false);
    }
}

cJSON *diff_words(const cJSON *a, const cJSON *b) {
    cJSON *out = cJSON_CreateArray();
    measures(out, get(a, "measures"), get(b, "measures"));
    announcements(out, get(a, "announcements"), get(b, "announcements"));
    ticker(out, get(a, "ticker"), get(b, "ticker"));
    alert(out, get(a, "alert"), get(b, "alert"));
    /* Anything else (plan, media, publisher...) in one line each. */
    static const char *const handled[] = {"measures", "announcements", "ticker", "alert",
                                          "updated_at"};
    const cJSON *it;
    const cJSON *sides[2] = {a, b};
    for (int s = 0; s < 2; s++) {
        if (!cJSON_IsObject(sides[s])) continue;
        cJSON_ArrayForEach(it, sides[s]) {
            bool skip = false;
            for (size_t i = 0; i < ARRAY_LEN(handled); i++) skip |= strcmp(it->string, handled[i]) == 0;
            if (skip) continue;
            if (s == 1 && get(a, it->string)) continue; /* compared on the first pass */
            if (!same(get(a, it->string), get(b, it->string)))
                say(out, "「%s」の項目を変更", it->string);
        }
    }
    return out;
}
