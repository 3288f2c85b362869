/* Unit tests for config: defaults, the shipped file, and bad input reported
 * with file, line and key. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "util.h"

/* Writes text to a temporary file; returns its path (static buffer). */
static const char *temp_file(const char *text) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/misato-conf-XXXXXX");
    int fd = mkstemp(path);
    size_t n = strlen(text);
    if (fd < 0 || write(fd, text, n) != (ssize_t)n) abort();
    close(fd);
    return path;
}

/* Runs config_load with stderr captured; returns what was logged. */
static char *load_capturing(const char *path, struct config *cfg, int *problems,
                            enum config_status *st) {
    char log_path[] = "/tmp/misato-log-XXXXXX";
    int fd = mkstemp(log_path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    *st = config_load(path, cfg, problems);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *out = NULL;
    size_t len;
    if (util_read_file(log_path, 1 << 20, &out, &len) != UTIL_OK) abort();
    unlink(log_path);
    return out;
}

static void defaults_should_be_usable(void) {
    struct config c;
    config_defaults(&c);
    CHECK_INT(c.poll_seconds, 60);
    CHECK_INT(c.slide_seconds, 12);
    CHECK_STR(c.town_name, "美郷町");
    CHECK_STR(c.font, "BIZ UDPGothic");
    CHECK_STR(c.timezone, "Asia/Tokyo");
    CHECK_STR(c.feed_url, "");
    CHECK(c.cache_dir[0] == '/');
}

static void defaults_should_follow_systemd_directories(void) {
    setenv("CACHE_DIRECTORY", "/var/cache/misato-signage", 1);
    setenv("STATE_DIRECTORY", "/var/lib/misato-signage", 1);
    struct config c;
    config_defaults(&c);
    CHECK_STR(c.cache_dir, "/var/cache/misato-signage");
    CHECK_STR(c.state_dir, "/var/lib/misato-signage");
    CHECK_STR(c.media_dir, "/var/lib/misato-signage/media");
    unsetenv("CACHE_DIRECTORY");
    unsetenv("STATE_DIRECTORY");
}

static void shipped_config_should_load_without_problems(void) {
    struct config c;
    config_defaults(&c);
    int problems = -1;
    enum config_status st;
    char *log = load_capturing(MISATO_SOURCE_DIR "/config/signage.conf", &c, &problems, &st);
    CHECK_INT(st, CONFIG_OK);
    CHECK_INT(problems, 0);
    CHECK_STR(log, "");
    free(log);
}

static void values_should_be_read_with_comments_and_spaces(void) {
    const char *path = temp_file("# comment\n"
                                 "feed_url = https://example.jp/signage/feed.json\n"
                                 "poll_seconds=120\n"
                                 "  slide_seconds = 20   ; inline comment\n"
                                 "town_name = 美郷町役場\n"
                                 "timezone = Asia/Tokyo\n");
    struct config c;
    config_defaults(&c);
    int problems = -1;
    enum config_status st;
    char *log = load_capturing(path, &c, &problems, &st);
    CHECK_INT(st, CONFIG_OK);
    CHECK_INT(problems, 0);
    CHECK_STR(c.feed_url, "https://example.jp/signage/feed.json");
    CHECK_INT(c.poll_seconds, 120);
    CHECK_INT(c.slide_seconds, 20);
    CHECK_STR(c.town_name, "美郷町役場");
    free(log);
    unlink(path);
}

static void bad_values_should_be_reported_with_line_and_key_and_keep_defaults(void) {
    const char *path = temp_file("poll_seconds = 60\n"
                                 "\n"
                                 "slide_seconds = fast\n"
                                 "colour = blue\n"
                                 "feed_url = ftp://example.jp/feed.json\n"
                                 "timezone = ../../etc/passwd\n"
                                 "this line has no equals sign\n"
                                 "poll_seconds = 1\n");
    struct config c;
    config_defaults(&c);
    int problems = 0;
    enum config_status st;
    char *log = load_capturing(path, &c, &problems, &st);
    CHECK_INT(st, CONFIG_PROBLEMS);
    CHECK_INT(problems, 6);
    char want[256];
    snprintf(want, sizeof want, "%s:3: slide_seconds: must be a whole number from 3 to 600", path);
    CHECK(strstr(log, want) != NULL);
    snprintf(want, sizeof want, "%s:4: colour: unknown key", path);
    CHECK(strstr(log, want) != NULL);
    snprintf(want, sizeof want, "%s:5: feed_url:", path);
    CHECK(strstr(log, want) != NULL);
    snprintf(want, sizeof want, "%s:6: timezone:", path);
    CHECK(strstr(log, want) != NULL);
    snprintf(want, sizeof want, "%s:7: not a `key = value` line", path);
    CHECK(strstr(log, want) != NULL);
    snprintf(want, sizeof want, "%s:8: poll_seconds:", path);
    CHECK(strstr(log, want) != NULL);
    CHECK_INT(c.slide_seconds, 12);
    CHECK_INT(c.poll_seconds, 60);
    CHECK_STR(c.feed_url, "");
    CHECK_STR(c.timezone, "Asia/Tokyo");
    if (check_case_failed) fprintf(stderr, "log was:\n%s", log);
    free(log);
    unlink(path);
}

static void missing_file_should_be_an_open_error(void) {
    struct config c;
    config_defaults(&c);
    int problems = 0;
    enum config_status st;
    char *log = load_capturing("/nonexistent/signage.conf", &c, &problems, &st);
    CHECK_INT(st, CONFIG_ERR_OPEN);
    CHECK(strstr(log, "/nonexistent/signage.conf") != NULL);
    free(log);
}

static void strings_should_be_bounded_and_utf8(void) {
    struct config c;
    config_defaults(&c);
    CHECK(config_set(&c, "town_name", "\xff\xfe") != NULL);
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    CHECK(config_set(&c, "town_name", longname) != NULL);
    CHECK(config_set(&c, "town_name", "") != NULL);
    CHECK(config_set(&c, "town_name", "a\tb") != NULL);
    CHECK_STR(c.town_name, "美郷町");
    CHECK(config_set(&c, "timezone", "Nowhere/City") != NULL);
    CHECK(config_set(&c, "timezone", "UTC") == NULL);
}

static void display_hours_days_and_holidays_should_parse(void) {
    struct config c;
    config_defaults(&c);
    CHECK_INT(c.hours.days, 0x7F);
    CHECK_INT(c.hours.end_min, 1440);
    CHECK(config_set(&c, "display_hours", "07:30-19:00") == NULL);
    CHECK_INT(c.hours.start_min, 450);
    CHECK_INT(c.hours.end_min, 1140);
    CHECK(config_set(&c, "display_hours", "00:00-24:00") == NULL);
    CHECK(config_set(&c, "display_hours", "19:00-07:30") != NULL);
    CHECK(config_set(&c, "display_hours", "7:30") != NULL);
    CHECK(config_set(&c, "display_days", "mon-fri") == NULL);
    CHECK_INT(c.hours.days, 0x3E);
    CHECK(config_set(&c, "display_days", "sat-mon") == NULL); /* wraps round */
    CHECK_INT(c.hours.days, 0x43);
    CHECK(config_set(&c, "display_days", "mon, wed,fri") == NULL);
    CHECK_INT(c.hours.days, 0x2A);
    CHECK(config_set(&c, "display_days", "someday") != NULL);
    CHECK(config_set(&c, "holidays", "2026-12-29, 2026-12-30") == NULL);
    CHECK(config_set(&c, "holidays", "2027-01-01") == NULL);
    CHECK_INT(c.hours.n_holidays, 3);
    CHECK_INT(c.hours.holidays[2], 20270101);
    CHECK(config_set(&c, "holidays", "2027/01/02") != NULL);
    CHECK(config_set(&c, "transition", "push") == NULL);
    CHECK_INT(c.transition, TRANSITION_PUSH);
    CHECK(config_set(&c, "transition", "wipe") != NULL);
}

int main(void) {
    RUN(defaults_should_be_usable);
    RUN(defaults_should_follow_systemd_directories);
    RUN(shipped_config_should_load_without_problems);
    RUN(values_should_be_read_with_comments_and_spaces);
    RUN(bad_values_should_be_reported_with_line_and_key_and_keep_defaults);
    RUN(missing_file_should_be_an_open_error);
    RUN(strings_should_be_bounded_and_utf8);
    RUN(display_hours_days_and_holidays_should_parse);
    return CHECK_DONE();
}
