/* cmd_validate: --validate, a feed file checked for staff: every problem in
 * words, and what the screens would show. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app.h"
#include "clock.h"
#include "app_internal.h"
#include "config.h"
#include "deck.h"
#include "feed.h"
#include "file.h"
#include "font.h"
#include "updater.h"
#include "util.h"
#include "xalloc.h"

/* Why a feed file cannot be read, in words for staff (NULL: it can). */
const char *app_feed_unreadable(const char *path, enum file_status us, char *buf, size_t size) {
    struct stat sb;
    if (stat(path, &sb) != 0)
        snprintf(buf, size, "ファイルがありません (no such file: %s)", strerror(errno));
    else if (S_ISDIR(sb.st_mode))
        snprintf(buf, size, "フォルダです。フィードのファイル (feed.json など) を指定してください"
                            " (a folder, not a feed file)");
    else if (!S_ISREG(sb.st_mode))
        snprintf(buf, size, "普通のファイルではありません。保存したフィードのファイルを指定してください"
                            " (not a regular file)");
    else if (us == FILE_ERR_TOO_BIG)
        snprintf(buf, size, "ファイルが大きすぎます (1 MiB までです) (larger than 1 MiB)");
    else snprintf(buf, size, "ファイルを読めません (cannot read the file: %s)", strerror(errno));
    return buf;
}

/* Whether v ended before now (then it is not shown). */
static bool ended_at(const struct feed_validity *v, time_t now) { return v->has_until && now >= v->until; }

/* "2 件" or "1 件 (ほかに終了 1 件)": how many are shown, and how many ended. */
static void count_words(char ja[64], char en[64], size_t n, size_t ended) {
    if (ended == 0) {
        snprintf(ja, 64, "%zu 件", n);
        snprintf(en, 64, "%zu", n);
    } else {
        snprintf(ja, 64, "%zu 件 (ほかに終了 %zu 件)", n - ended, ended);
        snprintf(en, 64, "%zu (+%zu ended)", n - ended, ended);
    }
}

int app_validate(const char *path, const char *at) {
    /* Dates are read in the town's time, as the player reads them. */
    struct config cfg;
    config_defaults(&cfg);
    setenv("TZ", cfg.timezone, 1);
    tzset();
    time_t now = time(NULL);
    if (at && !util_parse_local_time(at, &now)) return APP_EXIT_USAGE;
    char *body = NULL;
    size_t len = 0;
    enum file_status us = file_read(AT_FDCWD, path, FEED_MAX_BYTES, 0, &body, &len, NULL);
    if (us != FILE_OK) {
        char why[256];
        printf("%s: %s\n", path, app_feed_unreadable(path, us, why, sizeof why));
        printf("結果: 表示できません。前のデータが表示され続けます。 (unusable: cannot read)\n");
        return APP_EXIT_UNUSABLE;
    }
    struct feed_report *rep = xmalloc(sizeof *rep);
    struct feed *feed = NULL;
    enum feed_status st = feed_parse(body, len, rep, &feed);
    free(body);
    /* What has already ended is left out too, though the feed is fine. */
    size_t ended = feed ? feed_check_expired(feed, now, rep) : 0;
    for (size_t i = 0; i < rep->count; i++) {
        const struct feed_problem *p = &rep->items[i];
        printf("%s: %s (%s)\n", p->path[0] ? p->path : "(全体)", p->ja, p->en);
    }
    if (rep->omitted) printf("… ほか %zu 件 (%zu more)\n", rep->omitted, rep->omitted);
    fputs(rep->detail, stdout);
    int rc;
    if (feed == NULL) {
        printf("結果: 表示できません。前のデータが表示され続けます。 (unusable: %s)\n",
               feed_status_text(st));
        rc = APP_EXIT_UNUSABLE;
    } else {
        struct deck *deck = xmalloc(sizeof *deck);
        deck_build(feed, NULL, 12, now, clock_plausible(now), deck);
        size_t numbers = 0;
        for (size_t i = 0; i < feed->n_measures; i++)
            numbers += feed_measure_has_numbers(&feed->measures[i]);
        bool clean = st == FEED_OK && ended == 0;
        bool alert_ended = feed->alert.present && !feed_valid_at(&feed->alert.valid, now) &&
                           feed->alert.valid.has_until && now >= feed->alert.valid.until;
        printf("結果: %s。施策 %zu 件 (うち目標値・実績値のあるもの %zu 件)、スライド %zu 枚を表示します。"
               " (%s: %zu measures, %zu with numbers, %zu slides)\n",
               clean ? "問題ありません" : "一部を除いて表示できます", feed->n_measures, numbers,
               deck->n, clean ? feed_status_text(st) : feed_status_text(FEED_PROBLEMS),
               feed->n_measures, numbers, deck->n);
        /* What has ended is not counted as shown (it is named above). */
        size_t news_ended = 0, ticker_ended = 0, media_ended = 0;
        for (size_t i = 0; i < feed->n_announcements; i++) news_ended += ended_at(&feed->announcements[i].valid, now);
        for (size_t i = 0; i < feed->n_ticker; i++) ticker_ended += ended_at(&feed->ticker[i].valid, now);
        for (size_t i = 0; i < feed->n_media; i++) media_ended += ended_at(&feed->media[i].valid, now);
        char ja[3][64], en[3][64];
        count_words(ja[0], en[0], feed->n_announcements, news_ended);
        count_words(ja[1], en[1], feed->n_ticker, ticker_ended);
        count_words(ja[2], en[2], feed->n_media, media_ended);
        printf("お知らせ %s、テロップ %s、画像 %s、緊急のお知らせ %s"
               " (announcements %s, ticker lines %s, media %s, alert: %s)\n",
               ja[0], ja[1], ja[2], !feed->alert.present ? "なし" : alert_ended ? "なし (期限切れ)" : "あり",
               en[0], en[1], en[2], !feed->alert.present ? "none" : alert_ended ? "none (ended)" : "yes");
        rc = clean ? APP_EXIT_OK : 1;
        font_report_undrawable(feed, stdout); /* #12: warnings only, the feed stays valid */
        free(deck);
    }
    feed_free(feed);
    free(rep);
    return rc;
}
