/* phrase: BudouX's scoring over the model table (pure). */
#include "phrase.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phrase_model.h"
#include "utf8.h"
#include "xalloc.h"

/* The weight of feature f for the key text[0..len), or 0. */
static int weight(int f, const char *key, size_t len) {
    size_t lo = 0, hi = phrase_model_len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct phrase_weight *w = &phrase_model[mid];
        int c = w->feature - f;
        if (c == 0) {
            c = strncmp(w->key, key, len);
            if (c == 0 && w->key[len] != '\0') c = 1; /* the table's key is longer */
        }
        if (c == 0) return w->weight;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

size_t phrase_boundaries(const char *text, size_t len, bool *at_start) {
    memset(at_start, 0, len);
    if (len == 0) return 0;
    /* Byte offset of every code point, and one past the end. */
    size_t *off = xmalloc((len + 1) * sizeof *off);
    size_t n = 0;
    for (const char *p = text; (size_t)(p - text) < len;) {
        off[n++] = (size_t)(p - text);
        utf8_next(&p);
    }
    off[n] = len;
    /* The characters [a, b) as a key, when both ends are inside the text. */
#define W(f, a, b) ((a) >= 0 && (size_t)(b) <= n ? weight((f), text + off[a], off[b] - off[a]) : 0)
    size_t found = 0;
    for (long i = 1; i < (long)n; i++) {
        /* Twice BudouX's score: its base is minus half the sum of all weights. */
        long s = -(long)phrase_model_total;
        long sum = W(0, i - 3, i - 2) + W(1, i - 2, i - 1) + W(2, i - 1, i) + W(3, i, i + 1) + W(4, i + 1, i + 2) +
                   W(5, i + 2, i + 3) + W(6, i - 2, i) + W(7, i - 1, i + 1) + W(8, i, i + 2) + W(9, i - 3, i) +
                   W(10, i - 2, i + 1) + W(11, i - 1, i + 2) + W(12, i, i + 3);
        s += 2 * sum;
        if (s > 0) {
            at_start[off[i]] = true;
            found++;
        }
    }
#undef W
    free(off);
    return found;
}
