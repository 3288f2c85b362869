/* config-check FILE...: reads each settings file (and its .d/ drop-ins) with
 * the player's own parser, as the player would; the problems go to stderr
 * as "file:line: key: reason". Prints the values that doc examples set most
 * (so a test can see they were read as written). Exit 1 on any problem.
 * Used by tests/docs_examples_test.py. */
#include <stdio.h>

#include "config.h"

int main(int argc, char **argv) {
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        struct config c;
        config_defaults(&c);
        int problems = 0;
        if (config_load(argv[i], &c, &problems) != CONFIG_OK) bad = 1;
        printf("%s: feed_url=%s display_hours=%02d:%02d-%02d:%02d days=0x%02x holidays=%d problems=%d\n",
               argv[i], c.feed_url, c.hours.start_min / 60, c.hours.start_min % 60, c.hours.end_min / 60,
               c.hours.end_min % 60, c.hours.days, c.hours.n_holidays, problems);
    }
    return bad;
}
