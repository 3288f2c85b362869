/* Unit tests of the polling schedule a town's fleet of screens puts on the
 * feed server (updater_backoff, #17): the poll interval and the backoff
 * keep their +/-20% jitter, and Retry-After spreads the screens instead of
 * bringing them all back in the same second. */
#include <stdio.h>

#include "check.h"
#include "updater.h"

#define SCREENS 300

/* The most attempts in one second when SCREENS screens that failed at the
 * same moment each wait updater_backoff with their own random number. */
static int peak_per_second(int poll, int failures, long retry_after) {
    static int per_s[4000];
    for (int i = 0; i < 4000; i++) per_s[i] = 0;
    int peak = 0;
    for (int i = 0; i < SCREENS; i++) {
        double d = updater_backoff(poll, failures, retry_after, (i + 0.5) / SCREENS);
        int s = (int)d;
        if (s >= 0 && s < 4000 && ++per_s[s] > peak) peak = per_s[s];
    }
    return peak;
}

static void a_poll_should_keep_its_jitter(void) {
    CHECK_NEAR(updater_backoff(60, 0, -1, 0.0), 48, 1e-9);
    CHECK_NEAR(updater_backoff(60, 0, -1, 0.5), 60, 1e-9);
    CHECK_NEAR(updater_backoff(60, 0, -1, 0.999999), 72, 1e-3);
}

static void failures_should_back_off_to_a_ceiling(void) {
    CHECK_NEAR(updater_backoff(60, 1, -1, 0.5), 30, 1e-9);
    CHECK_NEAR(updater_backoff(60, 2, -1, 0.5), 60, 1e-9);
    CHECK_NEAR(updater_backoff(60, 3, -1, 0.5), 120, 1e-9);
    CHECK_NEAR(updater_backoff(60, 20, -1, 0.5), 900, 1e-9);
    CHECK_NEAR(updater_backoff(3600, 20, -1, 0.5), 3600, 1e-9);
    CHECK_NEAR(updater_backoff(10, 1, -1, 0.0), 4, 1e-9);
}

static void retry_after_should_never_be_undercut(void) {
    for (int i = 0; i < 100; i++) CHECK(updater_backoff(60, 1, 120, i / 100.0) >= 120);
    /* A Retry-After shorter than the backoff changes nothing. */
    CHECK_NEAR(updater_backoff(60, 3, 10, 0.5), 120, 1e-9);
}

static void retry_after_should_spread_a_towns_screens(void) {
    double lo = 1e9, hi = 0;
    for (int i = 0; i < SCREENS; i++) {
        double d = updater_backoff(60, 1, 120, (i + 0.5) / SCREENS);
        if (d < lo) lo = d;
        if (d > hi) hi = d;
    }
    /* Over 20% of the wait (24 s), not all at 120 s. */
    CHECK(hi - lo >= 23);
    CHECK(hi <= 144 + 1e-9);
    int peak = peak_per_second(60, 1, 120);
    printf("300 screens told Retry-After: 120: at most %d attempts in one second\n", peak);
    CHECK(peak <= 20);
    /* The ordinary jitter already does that for the poll and the backoff. */
    CHECK(peak_per_second(60, 0, -1) <= 20);
    CHECK(peak_per_second(60, 1, -1) <= 30);
}

int main(void) {
    RUN(a_poll_should_keep_its_jitter);
    RUN(failures_should_back_off_to_a_ceiling);
    RUN(retry_after_should_never_be_undercut);
    RUN(retry_after_should_spread_a_towns_screens);
    return CHECK_DONE();
}
