/* Unit tests for fmt: numbers, achievement, fiscal years, era dates. */
#include "check.h"
#include "fmt.h"

static struct tm date(int y, int m, int d, int wday) {
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_wday = wday;
    tm.tm_hour = 9;
    tm.tm_min = 5;
    return tm;
}

static void thousands_should_group_by_three(void) {
    char b[64];
    CHECK_STR(fmt_thousands(b, sizeof b, 0), "0");
    CHECK_STR(fmt_thousands(b, sizeof b, 999), "999");
    CHECK_STR(fmt_thousands(b, sizeof b, 1970), "1,970");
    CHECK_STR(fmt_thousands(b, sizeof b, 1234567), "1,234,567");
    CHECK_STR(fmt_thousands(b, sizeof b, -2239), "-2,239");
    CHECK_STR(fmt_thousands(b, sizeof b, -9223372036854775807LL - 1),
              "-9,223,372,036,854,775,808");
}

static void value_should_add_the_unit_and_keep_one_decimal(void) {
    char b[64];
    CHECK_STR(fmt_value(b, sizeof b, 1970, "件"), "1,970件");
    CHECK_STR(fmt_value(b, sizeof b, 20, "%"), "20%");
    CHECK_STR(fmt_value(b, sizeof b, 12.5, "%"), "12.5%");
    CHECK_STR(fmt_value(b, sizeof b, 1234.56, NULL), "1,234.6");
    CHECK_STR(fmt_value(b, sizeof b, 0.04, ""), "0.0");
    char tiny[4];
    CHECK_STR(fmt_value(tiny, sizeof tiny, 1970, "件"), "1,9");
}

static void achievement_should_round_down(void) {
    CHECK_INT(fmt_achievement_percent(63, 60), 105);
    CHECK_INT(fmt_achievement_percent(49, 50), 98);
    CHECK_INT(fmt_achievement_percent(2239, 2000), 111);
    CHECK_INT(fmt_achievement_percent(1970, 300), 656);
    CHECK_INT(fmt_achievement_percent(99.6, 100), 99);
    CHECK_INT(fmt_achievement_percent(1, 0), -1);
}

static void fiscal_year_should_start_in_april(void) {
    struct tm t = date(2026, 3, 31, 2);
    CHECK_INT(fmt_fiscal_year(&t), 2025);
    t = date(2026, 4, 1, 3);
    CHECK_INT(fmt_fiscal_year(&t), 2026);
    t = date(2026, 11, 24, 2);
    CHECK_INT(fmt_fiscal_year(&t), 2026);
    char b[64];
    CHECK_STR(fmt_fy_short(b, sizeof b, 2026), "R8年度");
    CHECK_STR(fmt_fy_long(b, sizeof b, 2024), "R6年度 (2024)");
    CHECK_STR(fmt_fy_long(b, sizeof b, 2029), "R11年度 (2029)");
}

/* Issue #12 item 6: --at 1970-01-01 said 「R-49年度 (1969)」, January 2019
 * 「R0年度 (2018)」. */
static void fiscal_years_before_reiwa_should_use_their_era(void) {
    char b[64];
    struct tm t = date(2019, 1, 15, 2);
    CHECK_STR(fmt_fy_long(b, sizeof b, fmt_fiscal_year(&t)), "平成30年度 (2018)");
    CHECK_STR(fmt_fy_short(b, sizeof b, 2018), "H30年度");
    CHECK_STR(fmt_fy_short(b, sizeof b, 2019), "R1年度");
    CHECK_STR(fmt_fy_era(b, sizeof b, 2026), "R8");
    CHECK_STR(fmt_fy_era(b, sizeof b, 2018), "H30");
    CHECK_STR(fmt_fy_era(b, sizeof b, 1989), "H1");
    CHECK_STR(fmt_fy_short(b, sizeof b, 1988), "S63年度");
    t = date(1970, 1, 1, 4);
    CHECK_STR(fmt_fy_long(b, sizeof b, fmt_fiscal_year(&t)), "昭和44年度 (1969)");
    CHECK_STR(fmt_fy_short(b, sizeof b, 1927), "S2年度");
    /* No whole fiscal year in one era (or none at all): the western year. */
    CHECK_STR(fmt_fy_short(b, sizeof b, 1926), "1926年度");
    CHECK_STR(fmt_fy_long(b, sizeof b, 1900), "1900年度");
    CHECK_STR(fmt_fy_era(b, sizeof b, -5), "-5");
}

static void wareki_should_follow_era_boundaries(void) {
    char b[64];
    struct tm t = date(2026, 11, 24, 2);
    CHECK_STR(fmt_wareki_date(b, sizeof b, &t), "令和8年11月24日(火)");
    t = date(2019, 5, 1, 3);
    CHECK_STR(fmt_wareki_date(b, sizeof b, &t), "令和元年5月1日(水)");
    t = date(2019, 4, 30, 2);
    CHECK_STR(fmt_wareki_date(b, sizeof b, &t), "平成31年4月30日(火)");
    t = date(2020, 1, 1, 3);
    CHECK_STR(fmt_wareki_date(b, sizeof b, &t), "令和2年1月1日(水)");
    t = date(1989, 1, 8, 0);
    CHECK_STR(fmt_wareki_date(b, sizeof b, &t), "平成元年1月8日(日)");
    t = date(1989, 1, 7, 6);
    CHECK_STR(fmt_wareki_date(b, sizeof b, &t), "昭和64年1月7日(土)");
}

static void clock_and_datetime_should_read_naturally(void) {
    char b[64];
    struct tm t = date(2026, 11, 24, 2);
    CHECK_STR(fmt_clock(b, sizeof b, &t), "9:05");
    CHECK_STR(fmt_seireki_datetime(b, sizeof b, &t), "2026年11月24日 9:05");
}

int main(void) {
    RUN(thousands_should_group_by_three);
    RUN(value_should_add_the_unit_and_keep_one_decimal);
    RUN(achievement_should_round_down);
    RUN(fiscal_year_should_start_in_april);
    RUN(fiscal_years_before_reiwa_should_use_their_era);
    RUN(wareki_should_follow_era_boundaries);
    RUN(clock_and_datetime_should_read_naturally);
    return CHECK_DONE();
}
