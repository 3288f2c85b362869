/* fmt: number and date formatting (pure). */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

char *fmt_thousands(char *buf, size_t size, long long v) {
    char digits[32];
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    int n = snprintf(digits, sizeof digits, "%llu", u);
    char out[48];
    size_t o = 0;
    if (v < 0) out[o++] = '-';
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    snprintf(buf, size, "%s", out);
    return buf;
}

char *fmt_value(char *buf, size_t size, double v, const char *unit) {
    char num[48];
    double r = round(v);
    if (fabs(v - r) < 1e-9 && fabs(r) < 9e15) {
        fmt_thousands(num, sizeof num, (long long)r);
    } else {
        double t = round(v * 10.0) / 10.0;
        long long whole = (long long)trunc(t);
        int tenth = (int)llround(fabs(t - (double)whole) * 10.0);
        char w[40];
        fmt_thousands(w, sizeof w, whole);
        snprintf(num, sizeof num, "%s%s.%d", (t < 0 && whole == 0) ? "-" : "", w, tenth);
    }
    snprintf(buf, size, "%s%s", num, unit ? unit : "");
    return buf;
}

int fmt_achievement_percent(double actual, double target) {
    if (!(target > 0) || !(actual >= 0)) return -1;
    double p = actual / target * 100.0;
    if (p > 99999) p = 99999;
    /* The tiny epsilon keeps 63/60*100 = 104.999... at 105. */
    return (int)floor(p + 1e-9);
}

int fmt_fiscal_year(const struct tm *tm) {
    int year = tm->tm_year + 1900;
    return tm->tm_mon >= 3 ? year : year - 1;
}

/* The era of fiscal year fy, abbreviated as plans write it: FY2019 on is
 * Reiwa (R1 = FY2019, as the town's plan counts), FY1989-2018 Heisei
 * (whose first year began in January 1989), FY1927-1988 Showa. Returns the
 * era's letter and sets *ey, or NULL where no whole fiscal year fell in
 * one era (before FY1927), so the western year is shown. */
static const char *fy_era(int fy, int *ey, const char **name) {
    if (fy >= 2019 && fy <= 2019 + 9999) {
        *ey = fy - FMT_REIWA_OFFSET, *name = "令和";
        return "R";
    }
    if (fy >= 1989 && fy <= 2018) {
        *ey = fy - 1988, *name = "平成";
        return "H";
    }
    if (fy >= 1927 && fy <= 1988) {
        *ey = fy - 1925, *name = "昭和";
        return "S";
    }
    return NULL;
}

char *fmt_fy_era(char *buf, size_t size, int fy) {
    int ey;
    const char *name, *era = fy_era(fy, &ey, &name);
    if (era) snprintf(buf, size, "%s%d", era, ey);
    else snprintf(buf, size, "%d", fy);
    return buf;
}

char *fmt_fy_short(char *buf, size_t size, int fy) {
    char e[24];
    snprintf(buf, size, "%s年度", fmt_fy_era(e, sizeof e, fy));
    return buf;
}

char *fmt_fy_long(char *buf, size_t size, int fy) {
    int ey;
    const char *name, *era = fy_era(fy, &ey, &name);
    if (era == NULL) snprintf(buf, size, "%d年度", fy);
    else if (era[0] == 'R') snprintf(buf, size, "R%d年度 (%d)", ey, fy);
    else snprintf(buf, size, "%s%d年度 (%d)", name, ey, fy);
    return buf;
}

static const char *const weekdays[] = {"日", "月", "火", "水", "木", "金", "土"};

char *fmt_wareki_date(char *buf, size_t size, const struct tm *tm) {
    int y = tm->tm_year + 1900, m = tm->tm_mon + 1, d = tm->tm_mday;
    const char *era;
    int ey;
    if (y > 2019 || (y == 2019 && m >= 5)) era = "令和", ey = y - 2018;
    else if (y > 1989 || (y == 1989 && (m > 1 || d >= 8))) era = "平成", ey = y - 1988;
    else era = "昭和", ey = y - 1925;
    char eys[16];
    if (ey == 1) snprintf(eys, sizeof eys, "元");
    else snprintf(eys, sizeof eys, "%d", ey);
    int wd = tm->tm_wday >= 0 && tm->tm_wday < 7 ? tm->tm_wday : 0;
    snprintf(buf, size, "%s%s年%d月%d日(%s)", era, eys, m, d, weekdays[wd]);
    return buf;
}

char *fmt_clock(char *buf, size_t size, const struct tm *tm) {
    snprintf(buf, size, "%d:%02d", tm->tm_hour, tm->tm_min);
    return buf;
}

char *fmt_seireki_datetime(char *buf, size_t size, const struct tm *tm) {
    snprintf(buf, size, "%d年%d月%d日 %d:%02d", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday,
             tm->tm_hour, tm->tm_min);
    return buf;
}
