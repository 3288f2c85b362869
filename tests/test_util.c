/* Unit tests for util: UTF-8, time parsing, bounded reads, arena. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "check.h"
#include "file.h"
#include "utf8.h"
#include "util.h"

static void utf8_valid_should_accept_japanese_and_reject_broken_sequences(void) {
    const char *ok = "美郷町 DX 1,970件";
    CHECK(utf8_valid(ok, strlen(ok)));
    CHECK(!utf8_valid("\xE7\xBE", 2));          /* truncated */
    CHECK(!utf8_valid("\xC0\xAF", 2));          /* overlong '/' */
    CHECK(!utf8_valid("\xED\xA0\x80", 3));      /* surrogate */
    CHECK(!utf8_valid("\xF4\x90\x80\x80", 4));  /* past U+10FFFF */
    CHECK(!utf8_valid("a\0b", 3));              /* NUL */
    CHECK(!utf8_valid("\xFF", 1));
    CHECK(utf8_valid("", 0));
}

static void utf8_next_should_decode_code_points(void) {
    const char *s = "aあ𠮷";
    CHECK_INT(utf8_next(&s), 'a');
    CHECK_INT(utf8_next(&s), 0x3042);
    CHECK_INT(utf8_next(&s), 0x20BB7);
    CHECK_INT(*s, 0);
    CHECK_INT(utf8_length("aあ𠮷"), 3);
}

static void parse_local_time_should_take_minutes_and_refuse_impossible_dates(void) {
    time_t t;
    CHECK(util_parse_local_time("2026-11-24T09:00", &t));
    struct tm tm;
    localtime_r(&t, &tm);
    CHECK_INT(tm.tm_year + 1900, 2026);
    CHECK_INT(tm.tm_mon + 1, 11);
    CHECK_INT(tm.tm_mday, 24);
    CHECK_INT(tm.tm_hour, 9);
    CHECK_INT(tm.tm_wday, 2); /* Tuesday */
    CHECK(util_parse_local_time("2026-11-24T09:00:30", &t));
    CHECK(!util_parse_local_time("2026-02-30T09:00", &t));
    CHECK(!util_parse_local_time("2026-11-24 09:00", &t));
    CHECK(!util_parse_local_time("2026-11-24T9:00", &t));
    CHECK(!util_parse_local_time("2026-11-24T24:00", &t));
    CHECK(!util_parse_local_time("2026-11-24T09:00x", &t));
    CHECK(!util_parse_local_time("", &t));
}

static void parse_iso8601_should_honour_offsets(void) {
    time_t t;
    CHECK(util_parse_iso8601("2026-03-01T00:00:00+09:00", &t));
    CHECK_INT(t, 1772290800); /* 2026-02-28T15:00:00Z */
    CHECK(util_parse_iso8601("2026-02-28T15:00:00Z", &t));
    CHECK_INT(t, 1772290800);
    CHECK(util_parse_iso8601("2024-02-29", &t));
    CHECK(!util_parse_iso8601("2025-02-29", &t));
    CHECK(!util_parse_iso8601("2026-03-01T00:00:00+9:00", &t));
    CHECK(!util_parse_iso8601("2026-13-01", &t));
    CHECK(!util_parse_iso8601("yesterday", &t));
}

static void parse_long_should_check_range_and_trailing_text(void) {
    long v;
    CHECK(util_parse_long("60", 10, 100, &v));
    CHECK_INT(v, 60);
    CHECK(!util_parse_long("9", 10, 100, &v));
    CHECK(!util_parse_long("60s", 10, 100, &v));
    CHECK(!util_parse_long("", 10, 100, &v));
    CHECK(!util_parse_long("99999999999999999999", 10, 100, &v));
}

static void read_file_should_enforce_the_cap(void) {
    char path[] = "/tmp/misato-test-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, "0123456789", 10) == 10);
    close(fd);
    char *buf = NULL;
    size_t len = 0;
    for (unsigned flags = 0; flags <= FILE_UNTRUSTED; flags += FILE_UNTRUSTED) {
        CHECK_INT(file_read(AT_FDCWD, path, 10, flags, &buf, &len, NULL), FILE_OK);
        CHECK_INT(len, 10);
        CHECK_STR(buf, "0123456789");
        free(buf);
        CHECK_INT(file_read(AT_FDCWD, path, 9, flags, &buf, &len, NULL), FILE_ERR_TOO_BIG);
        CHECK(buf == NULL && errno == EFBIG);
        mode_t type = 0;
        CHECK_INT(file_read(AT_FDCWD, "/tmp", 100, flags, &buf, &len, &type), FILE_ERR_NOT_REGULAR);
        CHECK(S_ISDIR(type) && errno == EINVAL);
        CHECK_INT(file_read(AT_FDCWD, "/nonexistent/x", 100, flags, &buf, &len, NULL), FILE_ERR_OPEN);
        CHECK(errno == ENOENT);
    }
    unlink(path);
}

static void read_file_should_refuse_links_only_when_untrusted(void) {
    char dir[] = "/tmp/misato-test-XXXXXX", p[64], sym[64], hard[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(p, sizeof p, "%s/f", dir);
    snprintf(sym, sizeof sym, "%s/sym", dir);
    snprintf(hard, sizeof hard, "%s/hard", dir);
    FILE *fp = fopen(p, "w");
    fputs("x", fp);
    fclose(fp);
    CHECK(symlink(p, sym) == 0 && link(p, hard) == 0);
    char *buf = NULL;
    size_t len = 0;
    mode_t type = 0;
    /* Our own files: a link is followed, a hard link is fine (feed.prev.json is one). */
    CHECK_INT(file_read(AT_FDCWD, sym, 10, 0, &buf, &len, NULL), FILE_OK);
    free(buf);
    CHECK_INT(file_read(AT_FDCWD, hard, 10, 0, &buf, &len, NULL), FILE_OK);
    free(buf);
    /* A stick's: neither. */
    CHECK_INT(file_read(AT_FDCWD, sym, 10, FILE_UNTRUSTED, &buf, &len, &type), FILE_ERR_NOT_REGULAR);
    CHECK(S_ISLNK(type) && buf == NULL);
    CHECK_INT(file_read(AT_FDCWD, hard, 10, FILE_UNTRUSTED, &buf, &len, NULL), FILE_ERR_NOT_REGULAR);
    CHECK(errno == EMLINK);
    unlink(sym);
    unlink(hard);
    unlink(p);
    rmdir(dir);
}

static void arena_should_hold_many_strings(void) {
    struct arena *a = arena_new();
    char *first = arena_strdup(a, "最初");
    for (int i = 0; i < 10000; i++) arena_strdup(a, "施策の名前がここに入ります");
    char *big = arena_alloc(a, 100000); /* larger than a block */
    big[99999] = 1;
    CHECK_STR(first, "最初");
    CHECK_INT(((uintptr_t)arena_alloc(a, 3)) % 16, 0);
    arena_free(a);
    arena_free(NULL);
}

static void mkdir_p_should_create_parents(void) {
    char base[] = "/tmp/misato-test-XXXXXX";
    CHECK(mkdtemp(base) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/a/b/c", base);
    CHECK(file_mkdir_p(path));
    CHECK(file_mkdir_p(path));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", base);
    CHECK(system(cmd) == 0);
}

static void snprintf_cut_should_not_split_a_utf8_character(void) {
    char buf[8];
    util_snprintf_cut(buf, sizeof buf, "%s", "ab美郷町"); /* a b + 3 bytes each */
    CHECK_STR(buf, "ab美");
    CHECK(utf8_valid(buf, strlen(buf)));
    util_snprintf_cut(buf, sizeof buf, "%s", "abcdefghij");
    CHECK_STR(buf, "abcdefg");
    util_snprintf_cut(buf, sizeof buf, "%s", "美郷");
    CHECK_STR(buf, "美郷");
}

int main(void) {
    RUN(snprintf_cut_should_not_split_a_utf8_character);
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    RUN(utf8_valid_should_accept_japanese_and_reject_broken_sequences);
    RUN(utf8_next_should_decode_code_points);
    RUN(parse_local_time_should_take_minutes_and_refuse_impossible_dates);
    RUN(parse_iso8601_should_honour_offsets);
    RUN(parse_long_should_check_range_and_trailing_text);
    RUN(read_file_should_enforce_the_cap);
    RUN(read_file_should_refuse_links_only_when_untrusted);
    RUN(arena_should_hold_many_strings);
    RUN(mkdir_p_should_create_parents);
    return CHECK_DONE();
}
