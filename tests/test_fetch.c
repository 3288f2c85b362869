/* Unit tests of the fetch worker's pure parts: Retry-After and the backoff
 * schedule (the live tests see them only end to end, through a server). */
#include <time.h>

#include "check.h"
#include "fetch.h"
#include "updater.h"

static const time_t NOW = 1795478400; /* 2026-11-24T00:00:00Z */

static void retry_after_should_take_seconds(void) {
    CHECK_INT(fetch_parse_retry_after("120", NOW), 120);
    CHECK_INT(fetch_parse_retry_after("  7", NOW), 7);
    CHECK_INT(fetch_parse_retry_after("0", NOW), 0);
}

static void retry_after_should_cap_at_one_day(void) {
    CHECK_INT(fetch_parse_retry_after("86401", NOW), 86400);
    CHECK_INT(fetch_parse_retry_after("999999999", NOW), 86400);
    CHECK_INT(fetch_parse_retry_after("Wed, 25 Nov 2026 12:00:00 GMT", NOW), 86400);
}

static void retry_after_should_take_an_http_date_from_now(void) {
    CHECK_INT(fetch_parse_retry_after("Tue, 24 Nov 2026 00:05:00 GMT", NOW), 300);
    /* A date already past: try again now, not never. */
    CHECK_INT(fetch_parse_retry_after("Mon, 23 Nov 2026 23:00:00 GMT", NOW), 0);
}

static void retry_after_should_refuse_what_is_neither(void) {
    CHECK_INT(fetch_parse_retry_after("", NOW), -1);
    CHECK_INT(fetch_parse_retry_after("   ", NOW), -1);
    CHECK_INT(fetch_parse_retry_after("12abc", NOW), -1);
    CHECK_INT(fetch_parse_retry_after("-5", NOW), -1);
    CHECK_INT(fetch_parse_retry_after("soon", NOW), -1);
    CHECK_INT(fetch_parse_retry_after("1.5", NOW), -1);
}

/* With jitter 0.5 the factor is exactly 1: the schedule itself. */
static void backoff_should_double_from_half_the_poll_to_fifteen_minutes(void) {
    CHECK(updater_backoff(300, 0, -1, 0.5) == 300); /* a success: the poll interval */
    CHECK(updater_backoff(300, 1, -1, 0.5) == 150);
    CHECK(updater_backoff(300, 2, -1, 0.5) == 300);
    CHECK(updater_backoff(300, 3, -1, 0.5) == 600);
    CHECK(updater_backoff(300, 4, -1, 0.5) == 900);
    CHECK(updater_backoff(300, 40, -1, 0.5) == 900);
    CHECK(updater_backoff(300, 1 << 30, -1, 0.5) == 900); /* no overflow, no long loop */
}

static void backoff_ceiling_should_be_the_poll_when_that_is_longer(void) {
    CHECK(updater_backoff(3600, 1, -1, 0.5) == 1800);
    CHECK(updater_backoff(3600, 2, -1, 0.5) == 3600);
    CHECK(updater_backoff(3600, 9, -1, 0.5) == 3600);
}

static void backoff_jitter_should_stay_within_twenty_percent(void) {
    CHECK(fabs(updater_backoff(300, 0, -1, 0.0) - 240) < 1e-9);
    CHECK(updater_backoff(300, 0, -1, 0.999999) < 360 &&
          updater_backoff(300, 0, -1, 0.999999) > 359);
    CHECK(fabs(updater_backoff(300, 4, -1, 0.0) - 720) < 1e-9);
}

static void backoff_should_honour_retry_after_and_one_second(void) {
    CHECK(updater_backoff(300, 1, 3600, 0.5) == 3600); /* never sooner than the server asks */
    CHECK(updater_backoff(300, 1, 10, 0.5) == 150);    /* but not later because of it */
    CHECK(updater_backoff(300, 0, 0, 0.5) == 300);
    CHECK(updater_backoff(1, 1, -1, 0.0) == 1); /* 0.4 s: at least 1 s */
}

int main(void) {
    RUN(retry_after_should_take_seconds);
    RUN(retry_after_should_cap_at_one_day);
    RUN(retry_after_should_take_an_http_date_from_now);
    RUN(retry_after_should_refuse_what_is_neither);
    RUN(backoff_should_double_from_half_the_poll_to_fifteen_minutes);
    RUN(backoff_ceiling_should_be_the_poll_when_that_is_longer);
    RUN(backoff_jitter_should_stay_within_twenty_percent);
    RUN(backoff_should_honour_retry_after_and_one_second);
    return CHECK_DONE();
}
