/* Unit tests of the USB playlist parsers (playlist.json and playlist.txt),
 * which the usb_* tests reach only through a whole import. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "playlist.h"
#include "util.h"
#include "xalloc.h"

static struct playlist json(const char *text) {
    struct playlist pl = {0};
    playlist_parse_json(&pl, text, strlen(text));
    return pl;
}

static struct playlist txt(const char *text) {
    struct playlist pl = {0};
    char *copy = xstrdup(text);
    playlist_parse_txt(&pl, copy);
    free(copy); /* entries own their names */
    return pl;
}

static time_t local(const char *s) {
    time_t t = 0;
    if (!util_parse_local_time(s, &t)) abort();
    return t;
}

static void json_should_give_order_captions_seconds_and_dates(void) {
    struct playlist pl =
        json("{\"mode\": \"add\", \"items\": ["
             "{\"file\": \"b.jpg\", \"caption\": \"年末のご案内\", \"seconds\": 20,"
             " \"valid_from\": \"2026-12-01\", \"valid_until\": \"2027-01-03\"},"
             "\"a.png\"]}");
    CHECK(pl.add && pl.mode_given && pl.error_ja[0] == '\0');
    CHECK_INT(pl.n, 2);
    if (pl.n == 2) {
        CHECK_STR(pl.items[0].name, "b.jpg");
        CHECK_STR(pl.items[0].caption, "年末のご案内");
        CHECK_INT(pl.items[0].seconds, 20);
        CHECK(pl.items[0].valid.has_from && pl.items[0].valid.from == local("2026-12-01T00:00"));
        /* A date-only end runs through that day. */
        CHECK(pl.items[0].valid.has_until && pl.items[0].valid.until == local("2027-01-04T00:00"));
        CHECK(pl.items[0].ja == NULL);
        CHECK_STR(pl.items[1].name, "a.png");
        CHECK(pl.items[1].ja == NULL && pl.items[1].seconds == 0 && pl.items[1].caption[0] == '\0');
    }
    playlist_clear(&pl);
    CHECK(pl.n == 0 && pl.items == NULL);
}

static void json_bad_values_should_refuse_their_line_only(void) {
    struct playlist pl = json(
        "{\"items\": [{\"file\": \"a.png\", \"seconds\": 2},"
        "{\"file\": \"b.png\", \"seconds\": \"20\"},"
        "{\"file\": \"c.png\", \"valid_from\": \"2026-12-05\", \"valid_until\": \"2026-12-01\"},"
        "{\"caption\": \"no file\"},"
        "{\"file\": \"d.png\", \"valid_until\": \"tomorrow\"},"
        "{\"file\": \"e.png\", \"seconds\": 600}]}");
    CHECK(pl.error_ja[0] == '\0' && !pl.mode_given && !pl.add);
    CHECK_INT(pl.n, 6);
    if (pl.n == 6) {
        CHECK(pl.items[0].ja && strstr(pl.items[0].en, "items[0]") &&
              strstr(pl.items[0].en, "seconds"));
        CHECK(pl.items[1].ja != NULL); /* a number in quotes */
        CHECK(pl.items[2].ja && strstr(pl.items[2].en, "not after"));
        CHECK(pl.items[3].ja && strstr(pl.items[3].en, "file missing"));
        CHECK(pl.items[4].ja && strstr(pl.items[4].en, "valid_until"));
        CHECK(pl.items[5].ja == NULL && pl.items[5].seconds == 600);
    }
    playlist_clear(&pl);
}

static void json_that_is_unusable_should_say_so_as_a_whole(void) {
    struct playlist pl = json("{\"items\": [");
    CHECK(pl.error_ja[0] && strstr(pl.error_en, "not a JSON object"));
    playlist_clear(&pl);
    pl = json("[\"a.png\"]");
    CHECK(pl.error_ja[0] && strstr(pl.error_en, "not a JSON object"));
    playlist_clear(&pl);
    pl = json("{\"mode\": \"replace\"}");
    CHECK(pl.error_ja[0] && strstr(pl.error_en, "no items"));
    playlist_clear(&pl);
    pl = json("{\"mode\": \"merge\", \"items\": []}");
    CHECK(pl.error_ja[0] && strstr(pl.error_en, "replace or add"));
    playlist_clear(&pl);
    pl = json("{\"mode\": 1, \"items\": []}");
    CHECK(pl.error_ja[0] != '\0');
    playlist_clear(&pl);
    pl = json("{\"mode\": \"置き換え\", \"items\": []}"); /* the Japanese words work too */
    CHECK(pl.error_ja[0] == '\0' && pl.mode_given && !pl.add && pl.n == 0);
    playlist_clear(&pl);
}

static void json_should_stop_at_the_entry_cap(void) {
    size_t n = MEDIA_MAX_ENTRIES + 10, cap = n * 8 + 32, o = 0;
    char *text = xmalloc(cap);
    o += (size_t)snprintf(text + o, cap - o, "{\"items\": [");
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(text + o, cap - o, "%s\"%zu\"", i ? "," : "", i % 10);
    snprintf(text + o, cap - o, "]}");
    struct playlist pl = json(text);
    CHECK_INT(pl.n, MEDIA_MAX_ENTRIES);
    playlist_clear(&pl);
    free(text);
}

static void txt_should_read_fields_comments_mode_and_a_bom(void) {
    struct playlist pl =
        txt("\xEF\xBB\xBF# 年末の画像\r\n"
            "mode = 追加\r\n"
            "\r\n"
            "01-nenmatsu.jpg | 20 | 年末年始の窓口のご案内 | 2026-12-01 | 2027-01-03\r\n"
            "  02-madoguchi.png  \r\n"
            "03.png | | 説明だけ\n");
    CHECK(pl.add && pl.mode_given && pl.error_ja[0] == '\0');
    CHECK_INT(pl.n, 3);
    if (pl.n == 3) {
        CHECK_STR(pl.items[0].name, "01-nenmatsu.jpg");
        CHECK_INT(pl.items[0].seconds, 20);
        CHECK_STR(pl.items[0].caption, "年末年始の窓口のご案内");
        CHECK(pl.items[0].valid.has_from && pl.items[0].valid.has_until);
        CHECK(pl.items[0].valid.until == local("2027-01-04T00:00"));
        CHECK_STR(pl.items[1].name, "02-madoguchi.png");
        CHECK(pl.items[1].ja == NULL && pl.items[1].seconds == 0);
        CHECK_STR(pl.items[2].caption, "説明だけ");
        CHECK(pl.items[2].ja == NULL && pl.items[2].seconds == 0);
    }
    playlist_clear(&pl);
}

static void txt_bad_lines_should_name_their_line(void) {
    struct playlist pl = txt("a.png | 1\n"
                             "b.png | 20 | ok | 2026-13-01\n"
                             "mode = sometimes\n");
    CHECK_INT(pl.n, 2);
    if (pl.n == 2) {
        CHECK(pl.items[0].ja && strstr(pl.items[0].en, "line 1"));
        CHECK(pl.items[1].ja && strstr(pl.items[1].en, "line 2") &&
              strstr(pl.items[1].en, "valid_from"));
    }
    CHECK(pl.error_ja[0] && strstr(pl.error_en, "line 3"));
    playlist_clear(&pl);
}

static void a_caption_over_200_bytes_should_be_refused(void) {
    char line[400];
    memset(line, 'x', sizeof line);
    memcpy(line, "a.png | 10 | ", 13);
    line[13 + 201] = '\0';
    struct playlist pl = txt(line);
    CHECK(pl.n == 1 && pl.items[0].ja && strstr(pl.items[0].en, "caption"));
    playlist_clear(&pl);
    line[13 + 200] = '\0';
    pl = txt(line);
    CHECK(pl.n == 1 && pl.items[0].ja == NULL && strlen(pl.items[0].caption) == 200);
    playlist_clear(&pl);
}

static void names_should_be_plain_files_of_the_folder(void) {
    CHECK(playlist_name_problem("poster-2.png") == NULL);
    CHECK(playlist_name_problem("年末のご案内.jpg") == NULL);
    CHECK(playlist_name_problem("") != NULL);
    CHECK(playlist_name_problem("../etc/passwd") != NULL);
    CHECK(playlist_name_problem("/etc/passwd") != NULL);
    CHECK(playlist_name_problem("sub\\a.png") != NULL);
    CHECK(playlist_name_problem("..") != NULL);
    CHECK(playlist_name_problem(".") != NULL);
    CHECK(playlist_name_problem("a\tb.png") != NULL);
    CHECK(playlist_name_problem("\xFF\xFE.png") != NULL);
    char longname[300];
    memset(longname, 'a', sizeof longname);
    longname[256] = '\0';
    CHECK(playlist_name_problem(longname) != NULL);
    longname[255] = '\0';
    CHECK(playlist_name_problem(longname) == NULL);
}

int main(void) {
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    RUN(json_should_give_order_captions_seconds_and_dates);
    RUN(json_bad_values_should_refuse_their_line_only);
    RUN(json_that_is_unusable_should_say_so_as_a_whole);
    RUN(json_should_stop_at_the_entry_cap);
    RUN(txt_should_read_fields_comments_mode_and_a_bom);
    RUN(txt_bad_lines_should_name_their_line);
    RUN(a_caption_over_200_bytes_should_be_refused);
    RUN(names_should_be_plain_files_of_the_folder);
    return CHECK_DONE();
}
