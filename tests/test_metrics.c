/* Unit tests of metrics.c: the text format (every line a comment or a
 * sample, label values escaped), the counters, the feed's age, and the
 * writer (atomic, no temporary file left, a last write at stop). The real
 * node_exporter reads the file in tests/fleet_metrics_test.py. */
#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "file.h"
#include "metrics.h"
#include "panel.h"
#include "util.h"

/* Each line: "# HELP name text", "# TYPE name gauge|counter", or a sample
 * `name{label="value",...} number` (the text format's grammar, simplified
 * to what we write). Returns the number of bad lines. */
static int bad_lines(const char *text) {
    regex_t sample, help, type;
    regcomp(&sample,
            "^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\""
            "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\n]|\\\\[\\\\\"n])*\")*\\})? -?[0-9.e+]+$",
            REG_EXTENDED | REG_NOSUB);
    regcomp(&help, "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$", REG_EXTENDED | REG_NOSUB);
    regcomp(&type, "^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (gauge|counter)$", REG_EXTENDED | REG_NOSUB);
    int bad = 0;
    char *copy = strdup(text), *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (regexec(&sample, line, 0, NULL, 0) && regexec(&help, line, 0, NULL, 0) &&
            regexec(&type, line, 0, NULL, 0)) {
            fprintf(stderr, "bad line: %s\n", line);
            bad++;
        }
    free(copy);
    regfree(&sample);
    regfree(&help);
    regfree(&type);
    return bad;
}

static void format_should_give_every_fact_in_the_text_format(void) {
    struct metrics_snapshot s = {0};
    s.start_time = 1796000000;
    snprintf(s.version, sizeof s.version, "1.2.3");
    snprintf(s.town, sizeof s.town, "美郷町 \"本庁舎\" \\ 1\n2");
    s.polling = true;
    s.poll_seconds = 60;
    snprintf(s.source, sizeof s.source, "network");
    s.has_updated_at = true;
    s.feed_updated_at = 1795990000;
    s.measures = 18;
    s.last_attempt = 1796000500;
    s.last_success = 1796000400;
    snprintf(s.last_result, sizeof s.last_result, "not modified");
    s.http_status = 304;
    s.attempts = 9;
    s.failures = 2;
    snprintf(s.slide, sizeof s.slide, "kpi-1-1");
    s.slide_index = 2;
    s.slide_count = 22;
    s.frames = 1234;
    s.last_frame = 1796000590;
    s.screen_on = true;
    s.has_panel = true;
    snprintf(s.panel_method, sizeof s.panel_method, "cec");
    snprintf(s.panel_state, sizeof s.panel_state, "on");
    s.panel_override = -1;
    s.panel_wanted_on = true;
    s.rss_bytes = 50 << 20;
    snprintf(s.presentation, sizeof s.presentation, "gpu");
    snprintf(s.renderer, sizeof s.renderer, "opengl: llvmpipe (LLVM 15.0.6, 256 bits)");
    s.cpu_draws = true;
    char buf[16384];
    size_t n = metrics_format(&s, 1796000600, buf, sizeof buf);
    CHECK(n > 0);
    CHECK_INT(n, strlen(buf));
    CHECK_INT(bad_lines(buf), 0);
    CHECK(strstr(buf, "misato_signage_info{version=\"1.2.3\",town=\"美郷町 \\\"本庁舎\\\" \\\\ 1\\n2\"} 1\n"));
    CHECK(strstr(buf, "misato_signage_feed_age_seconds 200\n"));
    CHECK(strstr(buf, "misato_signage_fetch_last_http_status 304\n"));
    CHECK(strstr(buf, "misato_signage_fetch_last_result{result=\"not modified\"} 1\n"));
    CHECK(strstr(buf, "misato_signage_fetch_failures_total 2\n"));
    CHECK(strstr(buf, "# TYPE misato_signage_fetch_failures_total counter\n"));
    CHECK(strstr(buf, "misato_signage_feed_source{source=\"network\"} 1\n"));
    CHECK(strstr(buf, "misato_signage_feed_updated_timestamp_seconds 1795990000\n"));
    CHECK(strstr(buf, "misato_signage_slide_info{slide=\"kpi-1-1\"} 1\n"));
    CHECK(strstr(buf, "misato_signage_frames_drawn_total 1234\n"));
    CHECK(strstr(buf, "misato_signage_panel_info{method=\"cec\",state=\"on\",override=\"none\"} 1\n"));
    CHECK(strstr(buf, "misato_signage_panel_on 1\n"));
    CHECK(strstr(buf, "misato_signage_presentation_info{path=\"gpu\",renderer=\"opengl: llvmpipe (LLVM 15.0.6, "
                      "256 bits)\"} 1\n"));
    CHECK(strstr(buf, "misato_signage_presentation_cpu 1\n"));
    CHECK(strstr(buf, "misato_signage_start_time_seconds 1796000000\n"));
    CHECK(strstr(buf, "misato_signage_resident_memory_bytes 52428800\n"));
    CHECK(strstr(buf, "misato_signage_poll_interval_seconds 60\n"));
    /* Too small a buffer: nothing, never a cut file. */
    CHECK_INT(metrics_format(&s, 1796000600, buf, 100), 0);
    /* Not polling: no fetch facts at all (nothing to alert on). */
    s.polling = false;
    n = metrics_format(&s, 1796000600, buf, sizeof buf);
    CHECK(n > 0);
    CHECK(strstr(buf, "fetch_") == NULL);
    CHECK(strstr(buf, "feed_age") == NULL);
}

static void a_feed_never_fetched_should_age_from_the_start(void) {
    struct metrics_snapshot s = {0};
    s.start_time = 1000;
    s.polling = true;
    s.panel_override = -1;
    char buf[16384];
    CHECK(metrics_format(&s, 1500, buf, sizeof buf) > 0);
    CHECK(strstr(buf, "misato_signage_feed_age_seconds 500\n"));
    CHECK(strstr(buf, "misato_signage_fetch_last_success_timestamp_seconds 0\n"));
}

static void notes_should_count_fetches_and_failures(void) {
    metrics_reset();
    metrics_note_config(true, 30);
    metrics_note_fetch("ok", 200, true, 100, 0);
    metrics_note_fetch("network error", 0, false, 130, 1);
    metrics_note_fetch("HTTP error", 503, false, 160, 2);
    metrics_note_slide("summary", 1, 22);
    metrics_note_frames(5, true);
    metrics_note_media(3, true);
    struct metrics_snapshot s;
    metrics_snapshot(&s);
    CHECK_INT(s.attempts, 3);
    CHECK_INT(s.failures, 2);
    CHECK_INT(s.last_success, 100);
    CHECK_INT(s.last_attempt, 160);
    CHECK_INT(s.http_status, 503);
    CHECK_STR(s.last_result, "HTTP error");
    CHECK_INT(s.consecutive_failures, 2);
    CHECK_INT(s.poll_seconds, 30);
    CHECK_STR(s.slide, "summary");
    CHECK_INT(s.frames, 5);
    CHECK(s.last_frame > 0);
    CHECK_INT(s.pictures, 3);
    CHECK(s.last_import > 0);
    CHECK(s.rss_bytes > 0);
    /* Strings that do not fit are cut, not overflowed. */
    char long_id[200];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    metrics_note_slide(long_id, 1, 1);
    metrics_snapshot(&s);
    CHECK_INT(strlen(s.slide), sizeof s.slide - 1);
}

static int count_entries(const char *dir) {
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    if (d) closedir(d);
    return n;
}

static void the_writer_should_replace_the_file_whole(void) {
    char dir[] = "/tmp/test-metrics-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], sub[96];
    snprintf(sub, sizeof sub, "%s/textfile", dir); /* created by the writer */
    snprintf(path, sizeof path, "%s/misato-signage.prom", sub);
    metrics_reset();
    CHECK(metrics_start(path, 10, "美郷町"));
    /* The first write comes at once. */
    char *text = NULL;
    size_t len = 0;
    for (int i = 0; i < 50 && access(path, F_OK) != 0; i++) usleep(20000);
    CHECK(file_read(AT_FDCWD, path, 1 << 20, 0, &text, &len, NULL) == FILE_OK);
    CHECK(text && strstr(text, "misato_signage_frames_drawn_total 0\n"));
    free(text);
    /* A panel change is written within about a second, not at the next interval. */
    struct panel *p = panel_new(NULL, 0);
    panel_update(p, false, false, 10);
    bool seen = false;
    for (int i = 0; i < 40 && !seen; i++) {
        usleep(100000);
        text = NULL;
        if (file_read(AT_FDCWD, path, 1 << 20, 0, &text, &len, NULL) == FILE_OK)
            seen = strstr(text, "state=\"black\"") != NULL;
        free(text);
    }
    CHECK(seen);
    panel_free(p);
    /* So is a fetch's result: with poll_seconds shorter than the interval
     * a 200 followed by a 304 was never in the file (fleet_metrics_scrape
     * failed now and then waiting for it). */
    metrics_note_config(true, 10);
    metrics_note_fetch("ok", 200, true, 1000, 0);
    seen = false;
    for (int i = 0; i < 40 && !seen; i++) {
        usleep(100000);
        text = NULL;
        if (file_read(AT_FDCWD, path, 1 << 20, 0, &text, &len, NULL) == FILE_OK)
            seen = strstr(text, "misato_signage_fetch_last_http_status 200\n") != NULL;
        free(text);
    }
    CHECK(seen);
    /* The last word at stop. */
    metrics_note_frames(77, true);
    metrics_stop();
    text = NULL;
    CHECK(file_read(AT_FDCWD, path, 1 << 20, 0, &text, &len, NULL) == FILE_OK);
    CHECK(text && strstr(text, "misato_signage_frames_drawn_total 77\n"));
    CHECK_INT(bad_lines(text), 0);
    free(text);
    CHECK_INT(count_entries(sub), 1); /* no temporary file left */
    metrics_stop();                   /* twice is harmless */
    unlink(path);
    rmdir(sub);
    rmdir(dir);
}

int main(void) {
    RUN(format_should_give_every_fact_in_the_text_format);
    RUN(a_feed_never_fetched_should_age_from_the_start);
    RUN(notes_should_count_fetches_and_failures);
    RUN(the_writer_should_replace_the_file_whole);
    return CHECK_DONE();
}
