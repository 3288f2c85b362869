/* feed-verdicts FILE...: the player's validator (feed_parse, as --validate
 * runs it) over many files in one process, for tests/schema_test.py's
 * corpus. For each file it prints "= RC FILE" (0 valid, 1 problems, 2
 * unusable: --validate's exit codes) and then its problems, one a line,
 * as "path: ja (en)". */
#include <stdio.h>
#include <stdlib.h>

#include "feed.h"
#include "file.h"
#include "xalloc.h"

int main(int argc, char **argv) {
    struct feed_report *rep = xmalloc(sizeof *rep);
    for (int i = 1; i < argc; i++) {
        char *body = NULL;
        size_t len = 0;
        if (file_read(AT_FDCWD, argv[i], FEED_MAX_BYTES, 0, &body, &len, NULL) != FILE_OK) {
            printf("= 2 %s\n", argv[i]);
            continue;
        }
        struct feed *f = NULL;
        enum feed_status st = feed_parse(body, len, rep, &f);
        free(body);
        printf("= %d %s\n", f == NULL ? 2 : st == FEED_OK ? 0 : 1, argv[i]);
        for (size_t k = 0; k < rep->count; k++)
            printf("%s: %s (%s)\n", rep->items[k].path, rep->items[k].ja, rep->items[k].en);
        feed_free(f);
    }
    free(rep);
    return 0;
}
