/* The words of the USB import report for IT (#13 item 8): which pixel
 * limit a picture is over, why a key file was not read, one picture. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>

#include "check.h"
#include "image.h"
#include "media_import.h"

static char dir[] = "/tmp/report-words-XXXXXX";

static void put_be32(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* A PNG that is only a header (w x h) and an end: never decoded. */
static void write_png_header(const char *path, unsigned w, unsigned h) {
    unsigned char png[8 + 25 + 12] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    put_be32(png + 8, 13);
    memcpy(png + 12, "IHDR", 4);
    put_be32(png + 16, w);
    put_be32(png + 20, h);
    png[24] = 8, png[25] = 6;
    memcpy(png + 33, "\0\0\0\0IEND\xAE\x42\x60\x82", 12);
    FILE *f = fopen(path, "wb");
    fwrite(png, 1, sizeof png, f);
    fclose(f);
}

static void a_picture_too_large_should_name_the_limit_it_is_over(void) {
    char path[256], why[256] = "";
    snprintf(path, sizeof path, "%s/square.png", dir);
    write_png_header(path, 8192, 8192);
    CHECK(image_decode(path, 1920, 1080, why, sizeof why) == NULL);
    CHECK_STR(why, "8192x8192 pixels is too large (67.1 megapixels, at most 40)");
    snprintf(path, sizeof path, "%s/wide.png", dir);
    write_png_header(path, 9000, 100);
    CHECK(image_decode(path, 1920, 1080, why, sizeof why) == NULL);
    CHECK_STR(why, "9000x100 pixels is too large (at most 8192 pixels a side)");
}

static void a_key_that_is_not_a_key_file_should_say_so(void) {
    char path[256], why[256] = "";
    const char *hex = "0000000000000000000000000000000000000000000000000000000000000000";
    CHECK(!media_key_ok(dir, hex, why, sizeof why));
    CHECK_STR(why, "import.key: none on the stick");
    snprintf(path, sizeof path, "%s/import.key", dir);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 100 * 1024; i++) fputc('k', f);
    fclose(f);
    CHECK(!media_key_ok(dir, hex, why, sizeof why));
    CHECK_STR(why, "import.key: too large to be a key (a key is one line of 44 characters)");
    unlink(path);
    CHECK(mkfifo(path, 0600) == 0);
    CHECK(!media_key_ok(dir, hex, why, sizeof why));
    CHECK_STR(why, "import.key: not a plain file");
    unlink(path);
}

static void one_picture_should_be_one_picture(void) {
    struct media_report rep;
    memset(&rep, 0, sizeof rep);
    rep.committed = true;
    rep.imported = rep.total = 1;
    char *text = media_report_text(&rep);
    CHECK(strstr(text, "Result: 1 imported, 0 refused; 1 picture in the set now.") != NULL);
    free(text);
    rep.total = 2;
    text = media_report_text(&rep);
    CHECK(strstr(text, "; 2 pictures in the set now.") != NULL);
    free(text);
}

int main(void) {
    if (mkdtemp(dir) == NULL) return 1;
    RUN(a_picture_too_large_should_name_the_limit_it_is_over);
    RUN(a_key_that_is_not_a_key_file_should_say_so);
    RUN(one_picture_should_be_one_picture);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    return CHECK_DONE();
}
