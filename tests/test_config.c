/* Unit tests for config: defaults, the shipped file, and bad input reported
 * with file, line and key. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "file.h"

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
    if (file_read(AT_FDCWD, log_path, 1 << 20, 0, &out, &len, NULL) != FILE_OK) abort();
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
    CHECK_INT(c.transition, CONFIG_TRANSITION_PUSH);
    CHECK(config_set(&c, "transition", "wipe") != NULL);
    CHECK_INT(c.renderer, CONFIG_RENDERER_AUTO);
    CHECK(config_set(&c, "renderer", "software") == NULL);
    CHECK_INT(c.renderer, CONFIG_RENDERER_SOFTWARE);
    CHECK(config_set(&c, "renderer", "gpu") == NULL);
    CHECK_INT(c.renderer, CONFIG_RENDERER_GPU);
    CHECK(config_set(&c, "renderer", "opengl") != NULL);
}

/* #13.9: the example of docs/deploy.md, copied as written, with comments
 * after the values. */
static void comments_after_values_should_be_ignored(void) {
    const char *path = temp_file(
        "feed_url = https://www.town.misato.akita.jp/signage/feed.json   # 職員が更新するフィード\n"
        "display_hours = 07:30-19:00\t; 画面をつける時間\n"
        "display_days = mon-fri # weekdays\n"
        "town_name = 美郷町#1\n"
        "poll_seconds = 120 ;\n");
    struct config c;
    config_defaults(&c);
    int problems = -1;
    enum config_status st;
    char *log = load_capturing(path, &c, &problems, &st);
    CHECK_STR(log, "");
    CHECK_INT(st, CONFIG_OK);
    CHECK_STR(c.feed_url, "https://www.town.misato.akita.jp/signage/feed.json");
    CHECK_INT(c.hours.start_min, 7 * 60 + 30);
    CHECK_INT(c.hours.end_min, 19 * 60);
    CHECK_INT(c.hours.days, 0x3e);
    CHECK_STR(c.town_name, "美郷町#1"); /* no space before '#': part of the value */
    CHECK_INT(c.poll_seconds, 120);
    free(log);
    unlink(path);
}

/* A comment on a line longer than inih's buffer still ends at the line's end. */
static void a_long_comment_should_not_leak_into_the_next_line(void) {
    char text[2048];
    char pad[1500];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    snprintf(text, sizeof text, "slide_seconds = 20   # %s\npoll_seconds = 30\n", pad);
    const char *path = temp_file(text);
    struct config c;
    config_defaults(&c);
    int problems = -1;
    enum config_status st;
    char *log = load_capturing(path, &c, &problems, &st);
    CHECK_STR(log, "");
    CHECK_INT(c.slide_seconds, 20);
    CHECK_INT(c.poll_seconds, 30);
    free(log);
    unlink(path);
}

/* A URL never holds a space: what follows one is a mistake, said at once. */
static void a_url_with_a_space_should_be_refused(void) {
    struct config c;
    config_defaults(&c);
    CHECK(config_set(&c, "feed_url", "https://example.jp/feed.json x") != NULL);
    CHECK_STR(c.feed_url, "");
}

/* #14.12: drop-ins in signage.conf.d/NAME.conf, read after the file in name order. */
static void drop_ins_should_be_read_in_name_order(void) {
    char dir[] = "/tmp/misato-dropin-XXXXXX";
    if (!mkdtemp(dir)) abort();
    char path[256], d[256], f[300];
    snprintf(path, sizeof path, "%s/signage.conf", dir);
    snprintf(d, sizeof d, "%s/signage.conf.d", dir);
    FILE *fp = fopen(path, "w");
    fputs("slide_seconds = 15\npoll_seconds = 100\n", fp);
    fclose(fp);
    mkdir(d, 0755);
    const char *files[][2] = {
        {"20-site.conf", "slide_seconds = 20\nholidays = 2026-12-30\n"},
        {"10-town.conf", "slide_seconds = 10\ntown_name = 美郷町役場\nholidays = 2026-12-29\n"},
        {"30-bad.conf", "transition = wipe\n"},
        {"05-ignored.conf.dpkg-old", "slide_seconds = 99\n"},
        {".hidden.conf", "slide_seconds = 98\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(f, sizeof f, "%s/%s", d, files[i][0]);
        fp = fopen(f, "w");
        fputs(files[i][1], fp);
        fclose(fp);
    }
    snprintf(f, sizeof f, "%s/40-folder.conf", d);
    mkdir(f, 0755);
    struct config c;
    config_defaults(&c);
    int problems = -1;
    enum config_status st;
    char *log = load_capturing(path, &c, &problems, &st);
    CHECK_INT(c.slide_seconds, 20);      /* 20-site.conf comes after 10-town.conf */
    CHECK_INT(c.poll_seconds, 100);      /* from the main file, not overridden */
    CHECK_STR(c.town_name, "美郷町役場");
    CHECK_INT(c.hours.n_holidays, 2);
    CHECK_INT(c.hours.holidays[0], 20261229);
    CHECK_INT(problems, 1);              /* 30-bad.conf's transition, with its own name */
    CHECK_INT(st, CONFIG_PROBLEMS);
    CHECK(strstr(log, "signage.conf.d/30-bad.conf:1: transition:") != NULL);
    free(log);
    rmdir(f);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(f, sizeof f, "%s/%s", d, files[i][0]);
        unlink(f);
    }
    rmdir(d);
    unlink(path);
    rmdir(dir);
}

/* #14.13: outside the service (no STATE_DIRECTORY) a run never takes the
 * service's folders, even as root on a machine with the package; --status
 * and --import (config_defaults_service) do. */
static void runs_outside_the_service_should_not_use_its_folders(void) {
    unsetenv("CACHE_DIRECTORY");
    unsetenv("STATE_DIRECTORY");
    setenv("HOME", "/root", 1);
    unsetenv("XDG_STATE_HOME");
    unsetenv("XDG_CACHE_HOME");
    unsetenv("XDG_DATA_HOME");
    struct config c;
    config_defaults(&c);
    CHECK_STR(c.state_dir, "/root/.local/state/misato-signage");
    CHECK_STR(c.cache_dir, "/root/.cache/misato-signage");
    CHECK_STR(c.media_dir, "/root/.local/share/misato-signage/media");
    struct stat sb;
    if (stat(CONFIG_DEFAULT_PATH, &sb) == 0 && access("/var/lib/misato-signage", R_OK | X_OK) == 0) {
        config_defaults_service(&c);
        CHECK_STR(c.state_dir, "/var/lib/misato-signage");
        CHECK_STR(c.media_dir, "/var/lib/misato-signage/media");
    }
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
    RUN(comments_after_values_should_be_ignored);
    RUN(a_long_comment_should_not_leak_into_the_next_line);
    RUN(a_url_with_a_space_should_be_refused);
    RUN(drop_ins_should_be_read_in_name_order);
    RUN(runs_outside_the_service_should_not_use_its_folders);
    return CHECK_DONE();
}
