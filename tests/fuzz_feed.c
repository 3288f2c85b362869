/* Fuzz target for the feed parser and validator: any bytes in, no crash,
 * no leak, and a usable result always holds valid UTF-8 and bounded data.
 * Built with libFuzzer by -DMISATO_FUZZ=ON (clang); without it, the same
 * file becomes fuzz-feed-replay, which ctest runs over tests/fuzz/feed/. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "utf8.h"
#include "xalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct feed_report *rep = xmalloc(sizeof *rep);
    struct feed *f = NULL;
    enum feed_status st = feed_parse((const char *)data, size, rep, &f);
    if ((st <= FEED_PROBLEMS) != (f != NULL)) abort();
    if (f) {
        if (f->n_measures == 0 || f->n_measures > FEED_MAX_MEASURES) abort();
        for (size_t i = 0; i < f->n_measures; i++) {
            const struct feed_measure *m = &f->measures[i];
            if (!utf8_valid(m->name, strlen(m->name)) || strlen(m->id) > 5) abort();
            for (int y = 0; y < FEED_FY_COUNT; y++)
                if (m->targets.has[y] && !(m->targets.value[y] >= 0)) abort();
        }
        for (size_t i = 0; i < f->n_announcements; i++)
            if (!utf8_valid(f->announcements[i].title, strlen(f->announcements[i].title))) abort();
    }
    if (rep->count > FEED_MAX_PROBLEMS) abort();
    /* Every problem names a place, and its words are whole UTF-8 even when
     * cut to fit (paths are built from keys the feed typed). */
    for (size_t i = 0; i < rep->count; i++) {
        const struct feed_problem *p = &rep->items[i];
        if (p->path[0] == '\0' || !utf8_valid(p->path, strlen(p->path)) ||
            !utf8_valid(p->ja, strlen(p->ja)) || p->ja[0] == '\0')
            abort();
    }
    if (!utf8_valid(rep->detail, strlen(rep->detail))) abort();
    if (f) { /* and what has ended is told as validly */
        feed_check_expired(f, 2000000000, rep);
        if (rep->count > FEED_MAX_PROBLEMS) abort();
    }
    feed_free(f);
    free(rep);
    return 0;
}

#include "fuzz_replay.h"
