/* fmt: pure number and date formatting for residents: thousands separators,
 * units, achievement, fiscal years (April to March) and Japanese era dates.
 * Every function writes a NUL-terminated string into buf (truncating to
 * size) and returns buf. */
#ifndef MISATO_FMT_H
#define MISATO_FMT_H

#include <stddef.h>
#include <time.h>

/* The Reiwa era began on 2019-05-01; fiscal year N (April N to March N+1) is
 * "R(N-2018)年度", so FY2019 is R1 even though its April was still Heisei. */
#define FMT_REIWA_OFFSET 2018

/* 1970 -> "1,970"; negative numbers keep their sign. */
char *fmt_thousands(char *buf, size_t size, long long v);

/* A measured value with its unit: 1970 "件" -> "1,970件"; 12.5 "%" -> "12.5%".
 * Whole numbers show no decimals, others one. unit may be NULL. */
char *fmt_value(char *buf, size_t size, double v, const char *unit);

/* Achievement in whole percent, rounded down so that 99.6% never reads as
 * 100%: returns -1 when target <= 0. */
int fmt_achievement_percent(double actual, double target);

/* The fiscal year (e.g. 2026) that contains local broken-down time *tm. */
int fmt_fiscal_year(const struct tm *tm);

/* Fiscal year fy in its era: "R8" (fmt_fy_era), "R8年度" (short) and
 * "R8年度 (2026)" (long). Before Reiwa: "H30" / "H30年度" / "平成30年度 (2018)",
 * "S63" / ... / "昭和63年度 (1988)"; before FY1927, the western year alone
 * ("1926" / "1926年度" / "1926年度"). Never a year 0 or a negative era year. */
char *fmt_fy_era(char *buf, size_t size, int fy);
char *fmt_fy_short(char *buf, size_t size, int fy);
char *fmt_fy_long(char *buf, size_t size, int fy);

/* "令和8年11月24日(火)" (元年 for year 1; Heisei before 2019-05-01). */
char *fmt_wareki_date(char *buf, size_t size, const struct tm *tm);

/* "9:05" (24-hour clock, no leading zero on the hour). */
char *fmt_clock(char *buf, size_t size, const struct tm *tm);

/* "2026年11月24日 9:05" */
char *fmt_seireki_datetime(char *buf, size_t size, const struct tm *tm);

#endif
