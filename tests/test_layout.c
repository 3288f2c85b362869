/* Unit tests for layout: UAX #14 breaking with Japanese kinsoku, fitting,
 * ellipsis. Widths come from a fixed-pitch measure: every code point is
 * px pixels wide, so the expected lines can be worked out by hand. */
#include <stdlib.h>

#include "check.h"
#include "layout.h"
#include "utf8.h"
#include "util.h"

static int fixed_pitch(void *ctx, const char *text, size_t len, int px) {
    (void)ctx;
    int n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80) n++;
    return n * px;
}

/* Breaks text at 10px per character into lines of `cols` characters and
 * joins them with '|'. */
static const char *broken(const char *text, int cols) {
    static char out[1024];
    struct layout_line lines[LAYOUT_MAX_LINES];
    size_t n = layout_break_lines(text, 10, cols * 10, fixed_pitch, NULL, lines, LAYOUT_MAX_LINES);
    size_t o = 0;
    for (size_t i = 0; i < n && i < LAYOUT_MAX_LINES; i++) {
        if (i) out[o++] = '|';
        memcpy(out + o, text + lines[i].start, lines[i].len);
        o += lines[i].len;
    }
    out[o] = '\0';
    return out;
}

static bool no_line_starts_with(const char *joined, const char *const *forbidden, size_t n) {
    const char *p = joined;
    for (;;) {
        for (size_t i = 0; i < n; i++)
            if (strncmp(p, forbidden[i], strlen(forbidden[i])) == 0) return false;
        p = strchr(p, '|');
        if (p == NULL) return true;
        p++;
    }
}

static void japanese_should_break_between_characters(void) {
    CHECK_STR(broken("行政手続きのオンライン化", 6), "行政手続きの|オンライン化");
    CHECK_STR(broken("行政手続きのオンライン化", 20), "行政手続きのオンライン化");
}

static void closing_punctuation_should_not_start_a_line(void) {
    static const char *const bad[] = {"。", "、", "」", "）", "ー", "ッ", "ょ"};
    const char *texts[] = {
        "住民の利便性向上。職員の業務効率化。",
        "紙ベースで申請、届出していた手続き",
        "「書かない窓口」を導入しました",
        "セルフレジ導入（令和6年度）です",
        "オンラインサービスの利用者ーー",
        "ちょっとまってください",
    };
    for (size_t t = 0; t < ARRAY_LEN(texts); t++)
        for (int cols = 3; cols <= 12; cols++) {
            const char *j = broken(texts[t], cols);
            if (!no_line_starts_with(j, bad, ARRAY_LEN(bad))) {
                fprintf(stderr, "  %d cols: %s\n", cols, j);
                CHECK(false);
            }
        }
}

static void opening_brackets_should_not_end_a_line(void) {
    /* 8 columns: a greedy break would leave 「 at the end of line one. */
    const char *j = broken("窓口担当課の「書かない窓口」", 7);
    CHECK(strstr(j, "「|") == NULL);
}

static void numbers_should_stay_whole(void) {
    CHECK_STR(broken("実績は1,970件です", 6), "実績は|1,970件|です");
    CHECK_STR(broken("達成率 105%", 6), "達成率|105%");
}

static void latin_words_should_break_at_spaces(void) {
    CHECK_STR(broken("Misato Signage shows progress", 10), "Misato|Signage|shows|progress");
    CHECK_STR(broken("AI-FAQの導入", 6), "AI-FAQ|の導入");
}

static void overlong_words_should_be_cut_by_character(void) {
    /* UAX #14 gives no opportunity inside a host name: cut where it fills. */
    CHECK_STR(broken("https://www.town.misato.akita.jp", 10),
              "https://|www.town.m|isato.akit|a.jp");
    CHECK_STR(broken("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10), "ABCDEFGHIJ|KLMNOPQRST|UVWXYZ");
}

static void newlines_should_force_breaks(void) {
    CHECK_STR(broken("一行目\n二行目", 20), "一行目|二行目");
}

static void fit_should_shrink_before_cutting(void) {
    struct layout_block *b = malloc(sizeof *b);
    /* 12 characters in 100px: 10px fits 10 per line -> 2 lines at 10px would
     * fit, but 1 line needs <= 8px. */
    CHECK(layout_fit("行政手続きのオンライン化", 100, 1, 20, 8, fixed_pitch, NULL, b));
    CHECK_INT(b->n_lines, 1);
    CHECK_INT(b->px, 8);
    CHECK(!b->cut);
    CHECK(layout_fit("行政手続きのオンライン化", 100, 2, 20, 8, fixed_pitch, NULL, b));
    CHECK_INT(b->n_lines, 2);
    CHECK(b->px >= 16 && b->px <= 20);
    free(b);
}

static void fit_should_cut_with_an_ellipsis_at_the_minimum(void) {
    struct layout_block *b = malloc(sizeof *b);
    CHECK(layout_fit("デジタル技術を活用した農業機械の使用が可能となるよう", 100, 2, 10, 10,
                     fixed_pitch, NULL, b));
    CHECK_INT(b->n_lines, 2);
    CHECK(b->cut);
    const struct layout_line *last = &b->lines[1];
    CHECK(last->width <= 100);
    CHECK(strncmp(b->text + last->start + last->len - 3, "…", 3) == 0);
    CHECK(utf8_valid(b->text, strlen(b->text)));
    free(b);
}

static void fit_should_refuse_bad_input(void) {
    struct layout_block *b = malloc(sizeof *b);
    CHECK(!layout_fit("\xff\xfe", 100, 1, 10, 8, fixed_pitch, NULL, b));
    CHECK(!layout_fit("abc", 0, 1, 10, 8, fixed_pitch, NULL, b));
    CHECK(!layout_fit("abc", 100, 0, 10, 8, fixed_pitch, NULL, b));
    CHECK(!layout_fit("abc", 100, 1, 8, 10, fixed_pitch, NULL, b));
    CHECK(layout_fit("", 100, 1, 10, 8, fixed_pitch, NULL, b));
    CHECK_INT(b->n_lines, 0);
    free(b);
}

static const char *cut_at(const char *text, int cols) {
    static struct layout_block b;
    layout_fit(text, cols * 10, 1, 10, 10, fixed_pitch, NULL, &b);
    return b.text;
}

/* Issue #12 item 3: 「目標「3,00…」, 「R8(2…」. A number stays whole with its
 * unit, or goes with the words around it. */
static void an_ellipsis_should_never_cut_a_number(void) {
    CHECK_STR(cut_at("目標「3,000件」を達成", 7), "目標…");
    CHECK_STR(cut_at("目標 3,000件を達成", 8), "目標…");
    CHECK_STR(cut_at("目標 3,000件を達成", 10), "目標 3,000件…");
    CHECK_STR(cut_at("今年度 R8(2026)の計画", 8), "今年度…");
    CHECK_STR(cut_at("達成率 12.5% です", 9), "達成率…");
    CHECK_STR(cut_at("2,239件の申請がありました", 4), "…");
    /* Every width: what is left before the "…" never ends inside a number. */
    const char *texts[] = {"目標 2,000件、実績 2,239件（R6年度 (2024)）", "R8年度（2026）の目標は３００件です"};
    for (size_t t = 0; t < ARRAY_LEN(texts); t++)
        for (int cols = 1; cols < 30; cols++) {
            const char *c = cut_at(texts[t], cols);
            size_t n = strlen(c);
            if (n < 4 || strcmp(c + n - 3, "…") != 0) continue;
            const char *orig_next = texts[t] + (n - 3);
            char last = n > 3 ? c[n - 4] : ' ';
            bool bad = last >= '0' && last <= '9';
            bad = bad || (*orig_next >= '0' && *orig_next <= '9' && last != ' ');
            if (bad) fprintf(stderr, "  cut inside a number: %s\n", c);
            CHECK(!bad);
        }
}

/* Issue #12 item 8: lines broke inside words (「マイナンバーカー/ド」,
 * 「オン/ライン化」) and left one character alone (「導/入」, 「設/置」). */
static void lines_should_break_at_phrases_and_leave_no_orphan(void) {
    CHECK_STR(broken("マイナンバーカードの利活用", 10), "マイナンバーカードの|利活用");
    CHECK_STR(broken("マイナンバーカードの利活用", 9), "マイナンバーカード|の利活用");
    CHECK_STR(broken("行政手続きのオンライン化", 8), "行政手続きの|オンライン化");
    CHECK_STR(broken("自動音声合成ソフトの導入検討", 12), "自動音声合成ソフトの|導入検討");
    CHECK_STR(broken("議会のペーパーレス化の試行", 12), "議会のペーパーレス化の|試行");
    /* A phrase longer than the line still breaks (UAX #14 with kinsoku). */
    CHECK_STR(broken("マイナンバーカード", 5), "マイナン|バーカード"); /* ー never starts a line */
    /* Never one character alone on the last line. */
    const char *texts[] = {"書かない窓口の導入", "デジタルサイネージの設置", "DX推進計画の立案",
                           "紙の文書や資料をデータ化し、ペーパーレス化を推進します。"};
    for (size_t t = 0; t < ARRAY_LEN(texts); t++)
        for (int cols = 3; cols < 20; cols++) {
            const char *b = broken(texts[t], cols);
            const char *last = strrchr(b, '|');
            if (last == NULL) continue;
            last++;
            size_t chars = 0;
            for (const char *p = last; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
            if (chars == 1 && strcmp(last, "。") != 0) {
                fprintf(stderr, "  orphan at %d: %s\n", cols, b);
                CHECK(false);
            }
        }
}

static void fit_should_cut_very_long_text_on_a_character_boundary(void) {
    size_t n = LAYOUT_MAX_TEXT + 100;
    char *s = malloc(n + 1);
    for (size_t i = 0; i + 3 <= n; i += 3) memcpy(s + i, "あ", 3);
    s[n / 3 * 3] = '\0';
    struct layout_block *b = malloc(sizeof *b);
    CHECK(layout_fit(s, 1000, 2, 10, 10, fixed_pitch, NULL, b));
    CHECK(utf8_valid(b->text, strlen(b->text)));
    CHECK(b->cut);
    free(b);
    free(s);
}

/* Debian 12's libunibreak aborts on a regional indicator (flag emoji): the
 * player died on the first 🇯🇵 a staff member typed. */
static void flags_should_break_between_pairs_and_never_abort(void) {
    CHECK_STR(broken("🇯🇵🇯🇵🇯🇵", 2), "🇯🇵|🇯🇵|🇯🇵");
    CHECK_STR(broken("日本🇯🇵の旗", 3), "日本|🇯🇵|の旗"); /* 旗 not alone on the last line */
    CHECK_STR(broken("🇯", 1), "🇯");       /* a lone half */
    CHECK_STR(broken("🇯🇵🇯", 2), "🇯🇵|🇯"); /* an odd count */
    CHECK_STR(broken("🇯🇵🇯🇵", 1), "🇯🇵|🇯🇵"); /* cut by cluster, not by code point */
    /* U+FFFF is libunibreak 1.1's end-of-string mark: it aborted too. */
    CHECK_STR(broken("あ\uffffい", 1), "あ|\uffff|い");
}

static void emoji_sequences_and_marks_should_stay_whole(void) {
    CHECK_STR(broken("👍🏻👍🏻", 2), "👍🏻|👍🏻");                  /* skin tone */
    CHECK_STR(broken("家族👨\u200d👩\u200d👧です", 4), "家族|👨\u200d👩\u200d👧|です");
    CHECK_STR(broken("❤\ufe0f❤\ufe0f", 1), "❤\ufe0f|❤\ufe0f");    /* variation selector */
    CHECK_STR(broken("cafe\u0301 cafe\u0301", 5), "cafe\u0301|cafe\u0301");
    CHECK_STR(broken("か\u3099か\u3099", 1), "か\u3099|か\u3099");
    struct layout_block *b = malloc(sizeof *b);
    CHECK(layout_fit("🇯🇵🇯🇵🇯🇵🇯🇵", 50, 1, 10, 10, fixed_pitch, NULL, b));
    CHECK(b->cut);
    CHECK_STR(b->text, "🇯🇵🇯🇵…"); /* never half a flag before the ellipsis */
    free(b);
}

static long measured;
static int counting_pitch(void *ctx, const char *text, size_t len, int px) {
    measured++;
    return fixed_pitch(ctx, text, len, px);
}

/* A long unbreakable run at a narrow width used to be measured one more
 * character at a time, every line measuring the rest of the run, for every
 * size tried: 1,024 "A"s took 20 s per slide under the fuzzer. */
static void long_runs_should_cost_few_measures(void) {
    char s[1025];
    memset(s, 'A', 1024);
    s[1024] = '\0';
    struct layout_block *b = malloc(sizeof *b);
    measured = 0;
    CHECK(layout_fit(s, 30, 3, 40, 10, counting_pitch, NULL, b));
    CHECK(b->cut && b->n_lines == 3);
    CHECK(measured < 3000);
    if (measured >= 3000) fprintf(stderr, "  %ld measures\n", measured);
    free(b);
}

int main(void) {
    layout_init();
    RUN(japanese_should_break_between_characters);
    RUN(closing_punctuation_should_not_start_a_line);
    RUN(opening_brackets_should_not_end_a_line);
    RUN(numbers_should_stay_whole);
    RUN(latin_words_should_break_at_spaces);
    RUN(overlong_words_should_be_cut_by_character);
    RUN(newlines_should_force_breaks);
    RUN(fit_should_shrink_before_cutting);
    RUN(fit_should_cut_with_an_ellipsis_at_the_minimum);
    RUN(fit_should_refuse_bad_input);
    RUN(fit_should_cut_very_long_text_on_a_character_boundary);
    RUN(an_ellipsis_should_never_cut_a_number);
    RUN(lines_should_break_at_phrases_and_leave_no_orphan);
    RUN(flags_should_break_between_pairs_and_never_abort);
    RUN(emoji_sequences_and_marks_should_stay_whole);
    RUN(long_runs_should_cost_few_measures);
    return CHECK_DONE();
}
