/* layout: line breaking (libunibreak, UAX #14 "ja") and fitting (pure). */
#include "layout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linebreak.h>

#include "phrase.h"
#include "utf8.h"
#include "xalloc.h"

void layout_init(void) { init_linebreak(); }

/* UAX #14 class CJ (small kana, the prolonged sound mark ー): libunibreak
 * resolves it to ID ("normal" Japanese line breaking), which lets a line
 * begin with ッ or ー. Public signage wants the strict rule (CJ as NS), the
 * tailoring UAX #14 itself describes, so these never start a line. */
static bool is_cj(uint32_t c) {
    switch (c) {
    case 0x3041: case 0x3043: case 0x3045: case 0x3047: case 0x3049: case 0x3063:
    case 0x3083: case 0x3085: case 0x3087: case 0x308E: case 0x3095: case 0x3096:
    case 0x30A1: case 0x30A3: case 0x30A5: case 0x30A7: case 0x30A9: case 0x30C3:
    case 0x30E3: case 0x30E5: case 0x30E7: case 0x30EE: case 0x30F5: case 0x30F6:
    case 0x30FC:
        return true;
    default:
        return (c >= 0x31F0 && c <= 0x31FF) || (c >= 0xFF67 && c <= 0xFF70);
    }
}

/* Removes the break opportunity before every CJ character. */
static void tailor_strict(const char *text, size_t len, char *brks) {
    const char *p = text;
    while ((size_t)(p - text) < len) {
        size_t at = (size_t)(p - text);
        uint32_t c = utf8_next(&p);
        if (at > 0 && is_cj(c) && brks[at - 1] == LINEBREAK_ALLOWBREAK)
            brks[at - 1] = LINEBREAK_NOBREAK;
    }
}

/* Regional indicators (flag halves, U+1F1E6..U+1F1FF). */
static bool is_ri(uint32_t c) { return c >= 0x1F1E6 && c <= 0x1F1FF; }

/* Code points that extend the grapheme cluster before them (UAX #29's
 * Extend, the emoji modifiers and ZWJ): combining marks, variation
 * selectors, tags, skin tones, the kana voicing marks. A line never breaks
 * before one. Debian 12's libunibreak (1.1, Unicode 6) knows most combining
 * marks as CM but nothing of emoji. */
static bool is_extend(uint32_t c) {
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x0483 && c <= 0x0489) ||
           (c >= 0x0591 && c <= 0x05C7) || (c >= 0x0610 && c <= 0x061A) ||
           (c >= 0x064B && c <= 0x065F) || c == 0x0670 || (c >= 0x06D6 && c <= 0x06ED) ||
           (c >= 0x0E31 && c <= 0x0E3A) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || c == 0x200C || c == 0x200D ||
           (c >= 0x20D0 && c <= 0x20FF) || c == 0x3099 || c == 0x309A ||
           (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xFE20 && c <= 0xFE2F) ||
           (c >= 0x1F3FB && c <= 0x1F3FF) || (c >= 0xE0020 && c <= 0xE007F) ||
           (c >= 0xE0100 && c <= 0xE01EF);
}

/* Debian 12's libunibreak 1.1 aborts on two kinds of valid text, so the
 * breaker is given a copy in which they are replaced by code points of the
 * same UTF-8 length (the byte offsets of brks[] stay those of the text):
 * - a regional indicator (flag emoji half, U+1F1E6..U+1F1FF): its pair
 *   table has the class, its assertion does not (`lbcNew <= LBP_JT`); one
 *   🇯🇵 typed by staff took every player down. It becomes U+20000 (class ID);
 *   keep_clusters() then puts the pairs back together.
 * - U+FFFF, which it uses as its end-of-string mark (`posLast == posCur -
 *   1` fails). It becomes U+FFFD. */
static void hide_from_libunibreak(char *s, size_t len) {
    for (size_t i = 0; i + 2 < len; i++) {
        unsigned char *u = (unsigned char *)s + i;
        if (i + 3 < len && u[0] == 0xF0 && u[1] == 0x9F && u[2] == 0x87 && u[3] >= 0xA6 &&
            u[3] <= 0xBF) {
            memcpy(u, "\xF0\xA0\x80\x80", 4);
            i += 3;
        } else if (u[0] == 0xEF && u[1] == 0xBF && u[2] == 0xBF) {
            memcpy(u, "\xEF\xBF\xBD", 3);
            i += 2;
        }
    }
}

/* Removes every break opportunity inside a grapheme cluster: before an
 * extending code point, after a ZWJ, and between the two halves of a flag
 * (regional indicators pair from the left: a break stays between pairs). */
static void keep_clusters(const char *text, size_t len, char *brks) {
    const char *p = text;
    uint32_t prev = 0;
    unsigned ri_run = 0;
    while ((size_t)(p - text) < len) {
        size_t at = (size_t)(p - text);
        uint32_t c = utf8_next(&p);
        bool join = at > 0 && (is_extend(c) || prev == 0x200D || (is_ri(c) && ri_run % 2 == 1));
        if (join && brks[at - 1] == LINEBREAK_ALLOWBREAK) brks[at - 1] = LINEBREAK_NOBREAK;
        ri_run = is_ri(c) ? ri_run + 1 : 0;
        prev = c;
    }
}

/* Byte length of the grapheme cluster that starts at text[pos] (as far as
 * keep_clusters() sees clusters), never past end. */
static size_t cluster_len(const char *text, size_t pos, size_t end) {
    const char *p = text + pos;
    uint32_t c = utf8_next(&p);
    if (is_ri(c) && (size_t)(p - text) < end) {
        const char *q = p;
        if (is_ri(utf8_next(&q))) p = q;
    }
    while ((size_t)(p - text) < end) {
        const char *q = p;
        uint32_t n = utf8_next(&q);
        if (!is_extend(n)) break;
        p = q;
        if (n == 0x200D && (size_t)(p - text) < end) utf8_next(&p); /* the joined one */
    }
    size_t n = (size_t)(p - text) - pos;
    return pos + n > end ? end - pos : n;
}

static bool is_trailing_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

/* Length of text[start..end) without trailing white space. */
static size_t trimmed(const char *text, size_t start, size_t end) {
    while (end > start && is_trailing_space(text[end - 1])) end--;
    return end - start;
}

/* Longest prefix of text[start..end), in whole grapheme clusters and at
 * least one, whose width is <= max_width. By bisection over the cluster
 * boundaries: a long unbreakable run (a pasted URL, "AAAA…") measured one
 * more cluster at a time took seconds per slide (found by fuzz-text). */
static size_t fitting_prefix(const char *text, size_t start, size_t end, int px, int max_width,
                             layout_measure_fn measure, void *ctx) {
    static _Thread_local size_t bounds[LAYOUT_MAX_TEXT + 1];
    size_t nb = 0;
    for (size_t pos = start; pos < end && nb <= LAYOUT_MAX_TEXT;) {
        pos += cluster_len(text, pos, end);
        bounds[nb++] = pos - start; /* prefix lengths, increasing */
    }
    size_t lo = 0, hi = nb - 1; /* bounds[lo] is always kept: at least one cluster */
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        if (measure(ctx, text + start, bounds[mid], px) <= max_width) lo = mid;
        else hi = mid - 1;
    }
    return bounds[lo];
}

static bool is_cjk(uint32_t c) {
    return (c >= 0x2E80 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF) ||
           (c >= 0x20000 && c <= 0x3FFFF);
}

/* Removes the opportunities next to a Japanese character that BudouX does
 * not put a phrase boundary at (「マイナンバーカー/ド」, 「1,970/件」 no more). */
static void keep_phrases(const char *text, size_t len, char *brks) {
    bool *at = xmalloc(len);
    phrase_boundaries(text, len, at);
    uint32_t prev = 0;
    for (const char *p = text; (size_t)(p - text) < len;) {
        size_t i = (size_t)(p - text);
        uint32_t c = utf8_next(&p);
        bool digit_prev = prev >= '0' && prev <= '9', digit_next = c >= '0' && c <= '9';
        if (i > 0 && brks[i - 1] == LINEBREAK_ALLOWBREAK &&
            ((is_cjk(prev) && is_cjk(c)) || (digit_prev && is_cjk(c)) || (is_cjk(prev) && digit_next)) && !at[i] &&
            prev != 0x3000 && c != 0x3000)
            brks[i - 1] = LINEBREAK_NOBREAK;
        prev = c;
    }
    free(at);
}

static bool is_closing(uint32_t c) {
    return c == 0x3001 || c == 0x3002 || c == 0xFF0C || c == 0xFF0E || c == 0x300D || c == 0x300F || c == 0xFF09 ||
           c == 0x3011 || c == ')' || c == '.' || c == ',' || c == 0xFF01 || c == 0xFF1F || c == '!' || c == '?';
}

/* A last line of one character (「導/入」, 「設/置」) takes the end of the line
 * before it from its last opportunity on, where both still fit. */
static void no_orphan(const char *text, const char *full, int px, int max_width, layout_measure_fn measure,
                      void *ctx, struct layout_line *prev, struct layout_line *last) {
    size_t chars = 0;
    for (const char *p = text + last->start; (size_t)(p - text) < last->start + last->len;) {
        uint32_t c = utf8_next(&p);
        if (!is_closing(c)) chars++;
    }
    if (chars != 1 || last->start <= prev->start + 1) return;
    size_t end = last->start + last->len;
    for (size_t b = last->start - 1; b > prev->start + 1; b--) {
        if (full[b - 1] != LINEBREAK_ALLOWBREAK) continue;
        size_t l = end - b;
        int w = measure(ctx, text + b, l, px);
        if (w > max_width) return; /* nothing moves */
        size_t pl = trimmed(text, prev->start, b);
        if (pl == 0) return;
        prev->len = pl;
        prev->width = measure(ctx, text + prev->start, pl, px);
        last->start = b;
        last->len = l;
        last->width = w;
        return;
    }
}

static size_t break_lines(const char *text, int px, int max_width, layout_measure_fn measure, void *ctx,
                          struct layout_line *lines, size_t max_lines, bool phrases);

size_t layout_break_lines(const char *text, int px, int max_width, layout_measure_fn measure,
                          void *ctx, struct layout_line *lines, size_t max_lines) {
    return break_lines(text, px, max_width, measure, ctx, lines, max_lines, true);
}

/* The break opportunities of text (len bytes), as libunibreak's array:
 * UAX #14 for Japanese, tailored (strict kinsoku, whole clusters). *full
 * keeps every opportunity for a phrase longer than a line; the result,
 * with phrases, only those at phrase boundaries. Both are the caller's. */
static char *break_opportunities(const char *text, size_t len, bool phrases, char **full) {
    char *brks = xmalloc(len);
    char *safe = xmalloc(len + 1);
    memcpy(safe, text, len + 1);
    hide_from_libunibreak(safe, len);
    set_linebreaks_utf8((const utf8_t *)safe, len, "ja", brks);
    free(safe);
    tailor_strict(text, len, brks);
    keep_clusters(text, len, brks);
    *full = xmalloc(len);
    memcpy(*full, brks, len);
    if (phrases) keep_phrases(text, len, brks);
    return brks;
}

/* One text being broken into lines. */
struct breaker {
    const char *text;
    size_t len;
    int px, max_width;
    layout_measure_fn measure;
    void *ctx;
    const char *brks, *full; /* as break_opportunities gives them */
    struct layout_line *lines;
    size_t max_lines, n; /* n counts lines past max_lines too */
};

/* Width of text[s..e) without its trailing white space. */
static int width_trimmed(const struct breaker *b, size_t s, size_t e) {
    size_t l = trimmed(b->text, s, e);
    return l ? b->measure(b->ctx, b->text + s, l, b->px) : 0;
}

/* Ends a line at text[s..e) (trailing white space dropped); counted even
 * where there is no room left to store it. */
static void emit(struct breaker *b, size_t s, size_t e) {
    size_t l = trimmed(b->text, s, e);
    if (b->n < b->max_lines) {
        b->lines[b->n].start = s;
        b->lines[b->n].len = l;
        b->lines[b->n].width = l ? b->measure(b->ctx, b->text + s, l, b->px) : 0;
    }
    b->n++;
}

/* Where a line from start must end when its first phrase (to end) is wider
 * than the line: after the last UAX #14 opportunity (kinsoku kept) inside
 * it that fits, else after as many characters as fit. *skip_spaces says
 * the next line starts after the spaces there (not inside a word). */
static size_t break_inside(const struct breaker *b, size_t start, size_t end, bool *skip_spaces) {
    size_t e = end;
    while (e > start + 1 &&
           !(b->full[e - 2] == LINEBREAK_ALLOWBREAK &&
             b->measure(b->ctx, b->text + start, trimmed(b->text, start, e - 1), b->px) <= b->max_width))
        e--;
    *skip_spaces = e > start + 1;
    if (*skip_spaces) return e - 1;
    return start + fitting_prefix(b->text, start, end, b->px, b->max_width, b->measure, b->ctx);
}

/* The lines, greedily: each takes the phrases that fit; a mandatory break
 * ends one. Counting stops one line past max_lines: the caller only needs
 * to know that it does not fit, and a long text at a small width (every
 * character a line, each line measuring the rest of its run) cost seconds
 * before (found by fuzz-text). */
static void fill_lines(struct breaker *b) {
    size_t start = 0, last_fit = 0, pos = 0; /* pos: byte index of the next character to consider */
    bool have_fit = false;
    while (pos < b->len && b->n <= b->max_lines) {
        /* Advance to the next break opportunity after pos. */
        size_t opp = pos;
        while (opp < b->len && b->brks[opp] != LINEBREAK_ALLOWBREAK && b->brks[opp] != LINEBREAK_MUSTBREAK) opp++;
        size_t end = opp < b->len ? opp + 1 : b->len; /* break after byte opp */
        bool must = opp < b->len && b->brks[opp] == LINEBREAK_MUSTBREAK && end < b->len;
        if (width_trimmed(b, start, end) <= b->max_width) {
            last_fit = end;
            have_fit = true;
            pos = end;
            if (must) {
                emit(b, start, end);
                start = end;
                have_fit = false;
            }
            continue;
        }
        bool skip_spaces = true;
        size_t line_end = have_fit && last_fit > start ? last_fit : break_inside(b, start, end, &skip_spaces);
        emit(b, start, line_end);
        start = line_end;
        while (skip_spaces && start < b->len && b->text[start] == ' ') start++;
        have_fit = false;
        pos = start;
    }
    if (b->n <= b->max_lines && start < b->len && trimmed(b->text, start, b->len) > 0) emit(b, start, b->len);
}

/* As layout_break_lines; without phrases, at every UAX #14 opportunity. */
static size_t break_lines(const char *text, int px, int max_width, layout_measure_fn measure, void *ctx,
                          struct layout_line *lines, size_t max_lines, bool phrases) {
    size_t len = strlen(text);
    if (len == 0) return 0;
    /* Lines break at phrase boundaries where they can; every UAX #14
     * opportunity stays in `full` for a phrase longer than a line. */
    char *full;
    char *brks = break_opportunities(text, len, phrases, &full);
    struct breaker b = {text, len, px, max_width, measure, ctx, brks, full, lines, max_lines, 0};
    fill_lines(&b);
    size_t n = b.n;
    if (n >= 2 && n <= max_lines) no_orphan(text, full, px, max_width, measure, ctx, &lines[n - 2], &lines[n - 1]);
    free(full);
    free(brks);
    return n;
}

/* Characters of a number as it is written with its label: digits (ASCII
 * and full width), separators, and the Latin letters and brackets around
 * them ("R8(2026)", "3,000", "12.5%"). */
static bool is_number_part(uint32_t c) {
    return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19) || c == ',' || c == '.' || c == '%' ||
           c == '(' || c == ')' || c == '+' || c == '-' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           c == 0xFF08 || c == 0xFF09 || c == 0xFF0C || c == 0xFF0E;
}

static bool is_digit_cp(uint32_t c) { return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19); }

/* Code point that ends just before byte `end` (end > start). */
static uint32_t cp_before(const char *text, size_t start, size_t *at, size_t end) {
    size_t p = end - 1;
    while (p > start && ((unsigned char)text[p] & 0xC0) == 0x80) p--;
    const char *q = text + p;
    *at = p;
    return utf8_next(&q);
}

static bool is_opening(uint32_t c) {
    return c == 0x300C || c == 0x300E || c == 0xFF08 || c == '(' || c == 0x3010 || c == '[' || c == 0x201C;
}

/* An ellipsis never cuts a number ("3,00…", "R8(2…"), nor parts it from its
 * unit ("3,000…" for 3,000件): when the kept text text[start..end) ends in
 * the middle of a number, the whole number and the letters and brackets
 * written with it are dropped, and an opening bracket left dangling with
 * them. Returns the length kept from start. */
static size_t number_safe_cut(const char *text, size_t start, size_t end) {
    if (end <= start || text[end] == '\0') return end - start;
    const char *q = text + end;
    uint32_t next = utf8_next(&q);
    size_t at;
    uint32_t prev = cp_before(text, start, &at, end);
    bool splits = (is_digit_cp(prev) || prev == ',' || prev == '.') && next != ' ' && next != 0x3001 &&
                  next != 0x3002 && next != 0xFF0C && next != 0x300D && next != 0x3011;
    splits = splits || (is_digit_cp(next) && is_number_part(prev));
    if (!splits) return end - start;
    while (end > start) {
        prev = cp_before(text, start, &at, end);
        if (!is_number_part(prev)) break;
        end = at;
    }
    while (end > start && (text[end - 1] == ' ' || is_opening(cp_before(text, start, &at, end)))) {
        cp_before(text, start, &at, end);
        end = at;
    }
    return end - start;
}

static bool fit(const char *text, int max_width, size_t max_lines, int max_px, int min_px,
                layout_measure_fn measure, void *ctx, struct layout_block *out, bool phrases) {
    memset(out, 0, sizeof *out);
    if (max_lines == 0 || max_lines > LAYOUT_MAX_LINES || min_px < 1 || max_px < min_px ||
        max_width < 1)
        return false;
    size_t len = strlen(text);
    if (!utf8_valid(text, len)) return false;
    if (len > LAYOUT_MAX_TEXT) {
        len = LAYOUT_MAX_TEXT;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80) len--;
    }
    memcpy(out->text, text, len);
    out->text[len] = '\0';

    /* The largest size that fits, by bisection: every size tried costs the
     * caller a font at that size. Fitting is monotonic in practice (a
     * smaller size never needs more lines). */
    int px = max_px;
    size_t need = break_lines(out->text, px, max_width, measure, ctx, out->lines, max_lines, phrases);
    if (need > max_lines && max_px > min_px) {
        int lo = min_px, hi = max_px - 1; /* lo: candidate answer, known to be tried last */
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (break_lines(out->text, mid, max_width, measure, ctx, out->lines, max_lines, phrases) <=
                max_lines)
                lo = mid;
            else
                hi = mid - 1;
        }
        px = lo;
        need = break_lines(out->text, px, max_width, measure, ctx, out->lines, max_lines, phrases);
    }
    out->px = px;
    if (need > max_lines) {
        /* Keep the first lines and cut the last one with an ellipsis. */
        struct layout_line *last = &out->lines[max_lines - 1];
        static const char ell[] = "…";
        size_t avail_end = strlen(out->text);
        size_t keep = 0;
        for (size_t pos = last->start; pos < avail_end;) {
            size_t next = pos + cluster_len(out->text, pos, avail_end);
            char probe[LAYOUT_MAX_TEXT + 4];
            size_t plen = next - last->start;
            memcpy(probe, out->text + last->start, plen);
            memcpy(probe + plen, ell, sizeof ell);
            if (measure(ctx, probe, plen + sizeof ell - 1, px) > max_width) break;
            keep = plen;
            pos = next;
        }
        keep = number_safe_cut(out->text, last->start, last->start + keep);
        keep = trimmed(out->text, last->start, last->start + keep);
        memcpy(out->text + last->start + keep, ell, sizeof ell);
        last->len = keep + sizeof ell - 1;
        last->width = measure(ctx, out->text + last->start, last->len, px);
        out->cut = true;
        need = max_lines;
    }
    out->n_lines = need;
    for (size_t i = 0; i < out->n_lines; i++)
        if (out->lines[i].width > out->width) out->width = out->lines[i].width;
    return true;
}

bool layout_fit(const char *text, int max_width, size_t max_lines, int max_px, int min_px,
                layout_measure_fn measure, void *ctx, struct layout_block *out) {
    if (!fit(text, max_width, max_lines, max_px, min_px, measure, ctx, out, true)) return false;
    if (!out->cut) return true;
    /* Phrases must not cost words: where they leave text cut, every UAX #14
     * opportunity is tried, and kept if it shows the whole text. */
    struct layout_block *plain = xmalloc(sizeof *plain);
    if (fit(text, max_width, max_lines, max_px, min_px, measure, ctx, plain, false) && !plain->cut)
        memcpy(out, plain, sizeof *out);
    free(plain);
    return true;
}
