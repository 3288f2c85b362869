/* Tests for image: real PNG and JPEG files, and the hostile ones a USB
 * stick or a server might hold. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#include "check.h"
#include "file.h"
#include "image.h"

static char dir[] = "/tmp/misato-image-XXXXXX";
static const char *png_src = MISATO_SOURCE_DIR "/tests/golden/kpi-1-2-1920x1080.png";

static const char *path(const char *name) {
    static char buf[256];
    snprintf(buf, sizeof buf, "%s/%s", dir, name);
    return buf;
}

static void write_file(const char *name, const void *data, size_t len) {
    FILE *f = fopen(path(name), "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len) abort();
    fclose(f);
}

static unsigned char *read_png(size_t *len) {
    char *buf = NULL;
    if (file_read(AT_FDCWD, png_src, 1 << 24, 0, &buf, len, NULL) != FILE_OK) abort();
    return (unsigned char *)buf;
}

static SDL_Surface *decode(const char *name, char *why) {
    return image_decode(path(name), 960, 540, why, 200);
}

static void png_and_jpeg_should_decode_and_scale_down(void) {
    size_t len;
    unsigned char *png = read_png(&len);
    write_file("poster.png", png, len);
    int w, h;
    CHECK(image_header_size(png, len, &w, &h));
    CHECK_INT(w, 1920);
    CHECK_INT(h, 1080);
    char why[200] = "";
    SDL_Surface *s = decode("poster.png", why);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(s->w, 960);
        CHECK_INT(s->h, 540);
        CHECK_INT(s->format->format, SDL_PIXELFORMAT_ARGB8888);
        /* The JPEG is made by SDL_image from the same picture. */
        CHECK(IMG_SaveJPG(s, path("photo.jpg"), 85) == 0);
        SDL_FreeSurface(s);
    }
    free(png);
    s = image_decode(path("photo.jpg"), 0, 0, why, sizeof why);
    CHECK(s != NULL);
    if (s) CHECK(s->w == 960 && s->h == 540); /* never scaled up */
    SDL_FreeSurface(s);
    char *jpg = NULL;
    CHECK_INT(file_read(AT_FDCWD, path("photo.jpg"), 1 << 24, 0, &jpg, &len, NULL), FILE_OK);
    CHECK(image_header_size((unsigned char *)jpg, len, &w, &h) && w == 960 && h == 540);
    /* A JPEG cut in half is refused, though libjpeg would pad it with grey. */
    write_file("cut.jpg", jpg, len / 2);
    CHECK(decode("cut.jpg", why) == NULL);
    CHECK(strstr(why, "cut short") != NULL);
    /* Cut just before its end marker: refused too. */
    write_file("cut2.jpg", jpg, len - 2);
    CHECK(decode("cut2.jpg", why) == NULL);
    /* Data after the end marker (a phone's motion photo): the picture is whole. */
    {
        unsigned char *longer = malloc(len + 4096);
        memcpy(longer, jpg, len);
        for (size_t k = 0; k < 4096; k++) longer[len + k] = (unsigned char)(k * 131 + 7);
        write_file("trailer.jpg", longer, len + 4096);
        free(longer);
        SDL_Surface *t = decode("trailer.jpg", why);
        CHECK(t != NULL);
        SDL_FreeSurface(t);
    }
    /* A JPEG named .png: the name does not matter, the bytes do. */
    write_file("renamed.png", jpg, len);
    s = decode("renamed.png", why);
    CHECK(s != NULL);
    SDL_FreeSurface(s);
    free(jpg);
}

static void other_formats_should_be_refused_by_their_bytes(void) {
    char why[200];
    static const unsigned char gif[] = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
    write_file("gif.png", gif, sizeof gif - 1);
    CHECK(decode("gif.png", why) == NULL);
    CHECK(strstr(why, "not a PNG or JPEG") != NULL);
    static const unsigned char xcf[] = "gimp xcf v011\0\0\0\x10\0\0\0\x10";
    write_file("xcf.png", xcf, sizeof xcf - 1);
    CHECK(decode("xcf.png", why) == NULL);
    static const unsigned char tga[18] = {0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 16, 0, 32, 0};
    write_file("tga.png", tga, sizeof tga);
    CHECK(decode("tga.png", why) == NULL);
    write_file("empty.png", "", 0);
    CHECK(decode("empty.png", why) == NULL);
    CHECK(strstr(why, "empty") != NULL);
}

static void huge_dimensions_should_be_refused_before_decoding(void) {
    /* A PNG whose header declares 100000 x 100000 pixels. */
    size_t len;
    unsigned char *png = read_png(&len);
    unsigned char big[4] = {0x00, 0x01, 0x86, 0xA0};
    memcpy(png + 16, big, 4);
    memcpy(png + 20, big, 4);
    write_file("huge.png", png, len);
    char why[200];
    CHECK(decode("huge.png", why) == NULL);
    CHECK(strstr(why, "100000x100000") != NULL);
    free(png);
}

static void links_and_fifos_should_be_refused(void) {
    char why[200];
    CHECK(symlink(png_src, path("link.png")) == 0);
    CHECK(decode("link.png", why) == NULL);
    CHECK(mkfifo(path("fifo.png"), 0600) == 0);
    CHECK(decode("fifo.png", why) == NULL); /* and it does not block */
    CHECK(strstr(why, "regular") != NULL);
    CHECK(decode("nothing.png", why) == NULL);
}

/* A JPEG rewritten in place while it was copied: the new version's first
 * part and the old one's rest. JPEG has no checksum; the entropy decoder's
 * warnings must tell, at every cut. Two slides of the same size, saved by
 * SDL_image (libjpeg's standard Huffman tables, as most cameras use, where
 * almost every bit string is some code) and spliced at 19 points (those
 * past the bytes both versions share). */
static void spliced_jpegs_should_be_refused_at_every_cut(void) {
    const char *src[2] = {MISATO_SOURCE_DIR "/tests/golden/kpi-1-2-1920x1080.png",
                          MISATO_SOURCE_DIR "/tests/golden/detail-2-1-1920x1080.png"};
    char *v[2] = {NULL, NULL};
    size_t n[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        SDL_Surface *s = IMG_Load(src[k]);
        CHECK(s != NULL);
        if (s == NULL) return;
        CHECK(IMG_SaveJPG(s, path("version.jpg"), 90) == 0);
        SDL_FreeSurface(s);
        CHECK_INT(file_read(AT_FDCWD, path("version.jpg"), 1 << 24, 0, &v[k], &n[k], NULL), FILE_OK);
    }
    char why[200];
    for (int k = 0; k < 2; k++) { /* each version alone is whole */
        write_file("whole.jpg", v[k], n[k]);
        SDL_Surface *s = image_decode(path("whole.jpg"), 0, 0, why, sizeof why);
        CHECK(s != NULL);
        SDL_FreeSurface(s);
    }
    size_t len = n[0] > n[1] ? n[0] : n[1];
    unsigned char *mix = calloc(1, len); /* the shorter version's tail: zeros after its end marker */
    /* Up to the first byte where the versions differ, a "splice" is the
     * old version itself: whole, and it must decode. */
    size_t same = 0;
    while (same < n[0] && same < n[1] && v[0][same] == v[1][same]) same++;
    int accepted = 0, spliced = 0;
    for (int pct = 5; pct <= 95; pct += 5) {
        size_t cut = len * (size_t)pct / 100;
        if (cut <= same) {
            write_file("same.jpg", v[0], n[0]);
            SDL_Surface *s = image_decode(path("same.jpg"), 0, 0, why, sizeof why);
            CHECK(s != NULL);
            SDL_FreeSurface(s);
            continue;
        }
        spliced++;
        memset(mix, 0, len);
        memcpy(mix, v[1], cut < n[1] ? cut : n[1]);
        if (cut < n[0]) memcpy(mix + cut, v[0] + cut, n[0] - cut);
        write_file("spliced.jpg", mix, len);
        SDL_Surface *s = image_decode(path("spliced.jpg"), 0, 0, why, sizeof why);
        if (s != NULL) {
            fprintf(stderr, "spliced at %d%% (byte %zu of %zu): decoded without a warning\n", pct, cut, len);
            accepted++;
        } else {
            fprintf(stderr, "spliced at %d%%: refused: %s\n", pct, why);
        }
        SDL_FreeSurface(s);
    }
    CHECK_INT(accepted, 0);
    CHECK(spliced >= 15);
    free(mix);
    free(v[0]);
    free(v[1]);
}

int main(void) {
    if (mkdtemp(dir) == NULL) return 1;
    RUN(png_and_jpeg_should_decode_and_scale_down);
    RUN(other_formats_should_be_refused_by_their_bytes);
    RUN(huge_dimensions_should_be_refused_before_decoding);
    RUN(links_and_fifos_should_be_refused);
    RUN(spliced_jpegs_should_be_refused_at_every_cut);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    IMG_Quit();
    SDL_Quit();
    return CHECK_DONE();
}
