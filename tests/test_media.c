/* Tests for media: the set in media_dir, attaching it to a feed, and the
 * import's all-or-nothing swap, with real files in a temp folder. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <SDL.h>
#include <SDL_image.h>

#include "check.h"
#include "feed.h"
#include "deck.h"
#include "media.h"
#include "media_import.h"
#include "xalloc.h"

static char dir[] = "/tmp/misato-media-XXXXXX";

static const char *path(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* A real PNG, one colour per seed. */
static void picture(const char *p, int w, int h, Uint32 argb) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    SDL_FillRect(s, NULL, argb);
    if (IMG_SavePNG(s, p) != 0) abort();
    SDL_FreeSurface(s);
}

static struct media_report import(const char *src, const char *media_dir, bool add) {
    struct media_import_options opt = {.media_dir = media_dir, .screen_w = 320, .screen_h = 180, .add = add};
    struct media_report rep;
    media_import(src, &opt, &rep);
    return rep;
}

static void a_missing_folder_should_be_an_empty_set(void) {
    struct media_set *set = media_set_load(path("nowhere"));
    CHECK(set != NULL);
    CHECK_INT(set->n, 0);
    CHECK_INT(media_dir_stamp(path("nowhere")), 0);
    media_set_free(set);
    media_set_free(NULL);
}

static void imported_pictures_should_come_first_then_loose_ones_in_version_order(void) {
    mkdir(path("src1"), 0755);
    picture(path("src1/b.png"), 640, 360, 0xFF112233);
    picture(path("src1/a.png"), 100, 100, 0xFF445566);
    struct media_report rep = import(path("src1"), path("md1"), false);
    CHECK(rep.committed);
    CHECK_INT(rep.imported, 2);
    CHECK_INT(rep.refused, 0);
    media_report_clear(&rep);
    /* Pictures put there by hand, and things that are not pictures. */
    picture(path("md1/poster-10.png"), 8, 8, 0xFF000000);
    picture(path("md1/poster-2.png"), 8, 8, 0xFF000001);
    picture(path("md1/.hidden.png"), 8, 8, 0xFF000002);
    symlink("/etc/passwd", path("md1/link.png"));
    struct media_set *set = media_set_load(path("md1"));
    CHECK_INT(set->n, 4);
    if (set->n == 4) {
        CHECK_STR(set->items[0].name, "a.png");
        CHECK_STR(set->items[1].name, "b.png");
        CHECK_STR(set->items[2].name, "poster-2.png");
        CHECK_STR(set->items[3].name, "poster-10.png");
        CHECK(strstr(set->items[0].path, "/set-000001/") != NULL);
        /* Scaled to cover 320x180: 640x360 becomes 320x180; 100x100 stays. */
        SDL_Surface *s = IMG_Load(set->items[1].path);
        CHECK(s && s->w == 320 && s->h == 180);
        SDL_FreeSurface(s);
    }
    media_set_free(set);
}

static void the_deck_should_show_the_set_after_the_feeds_pictures_and_leave_the_feed_alone(void) {
    struct feed *f = NULL;
    CHECK(feed_parse_default(NULL, &f) <= FEED_PROBLEMS && f);
    if (f == NULL) return;
    size_t own = f->n_media;
    struct media_set *set = media_set_load(path("md1"));
    snprintf(set->items[0].caption, sizeof set->items[0].caption, "説明");
    struct deck_pictures pics = {NULL, set};
    struct deck *d = xmalloc(sizeof *d);
    deck_build(f, &pics, 10, 0, false, d);
    CHECK_INT(f->n_media, own); /* the parsed feed is not touched */
    int first = deck_find(d, "image-local-1");
    CHECK(first > 0 && deck_find(d, "image-local-4") == first + 3);
    if (first > 0) {
        CHECK_STR(deck_slide_picture(f, &pics, &d->slides[first + 3]), set->items[3].path);
        CHECK_STR(deck_slide_caption(f, &pics, &d->slides[first]), "説明");
        CHECK(deck_slide_caption(f, &pics, &d->slides[first + 1]) == NULL);
    }
    /* Another set, or none: the same feed, another deck. */
    set->n = 1;
    deck_build(f, &pics, 10, 0, false, d);
    CHECK(deck_find(d, "image-local-1") > 0 && deck_find(d, "image-local-2") < 0);
    deck_build(f, NULL, 10, 0, false, d);
    CHECK(deck_find(d, "image-local-1") < 0);
    free(d);
    media_set_free(set);
    feed_free(f);
}

static void a_failed_import_should_leave_the_set_and_the_stamp_alone(void) {
    unsigned long long before = media_dir_stamp(path("md1"));
    char link_before[64] = "";
    CHECK(readlink(path("md1/current"), link_before, sizeof link_before - 1) > 0);
    mkdir(path("src2"), 0755);
    picture(path("src2/c.png"), 50, 50, 0xFF778899);
    FILE *fp = fopen(path("src2/playlist.json"), "w");
    fputs("{\"items\": [", fp); /* cut short */
    fclose(fp);
    struct media_report rep = import(path("src2"), path("md1"), false);
    CHECK(rep.aborted && !rep.committed);
    CHECK_INT(rep.imported, 0);
    char *text = media_report_text(&rep);
    CHECK(strstr(text, "中止") != NULL && strstr(text, "playlist.json") != NULL);
    free(text);
    char toast[512];
    media_report_toast(&rep, toast, sizeof toast);
    CHECK(strstr(toast, "中止") != NULL);
    media_report_clear(&rep);
    char link_after[64] = "";
    CHECK(readlink(path("md1/current"), link_after, sizeof link_after - 1) > 0);
    CHECK_STR(link_after, link_before);
    CHECK(media_dir_stamp(path("md1")) == before);
}

static void leftovers_of_an_unfinished_import_should_be_swept(void) {
    /* A kill between the steps of an import leaves these behind. */
    mkdir(path("md1/.staging-dead01"), 0700);
    picture(path("md1/.staging-dead01/x.png"), 4, 4, 0xFF000000);
    mkdir(path("md1/set-000099"), 0755);
    mkdir(path("src3"), 0755);
    picture(path("src3/d.png"), 30, 30, 0xFF123456);
    struct media_report rep = import(path("src3"), path("md1"), true);
    CHECK(rep.committed);
    media_report_clear(&rep);
    struct stat sb;
    CHECK(stat(path("md1/.staging-dead01"), &sb) != 0);
    CHECK(stat(path("md1/set-000099"), &sb) != 0);
    struct media_set *set = media_set_load(path("md1"));
    CHECK(set->n >= 3); /* a.png, b.png kept (add mode), d.png, then the loose ones */
    media_set_free(set);
}

static void the_key_should_match_its_sha256_only(void) {
    mkdir(path("stick"), 0755);
    FILE *fp = fopen(path("stick/import.key"), "w");
    fputs("abc", fp);
    fclose(fp);
    char why[200];
    /* sha256("abc") */
    CHECK(media_key_ok(path("stick"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", why,
                       sizeof why));
    CHECK(!media_key_ok(path("stick"), "ca7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", why,
                        sizeof why));
    CHECK(strstr(why, "does not match") != NULL);
    unlink(path("stick/import.key"));
    symlink(path("elsewhere.key"), path("stick/import.key"));
    CHECK(!media_key_ok(path("stick"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", why,
                        sizeof why));
}

int main(void) {
    if (mkdtemp(dir) == NULL) return 1;
    setenv("TZ", "Asia/Tokyo", 1);
    RUN(a_missing_folder_should_be_an_empty_set);
    RUN(imported_pictures_should_come_first_then_loose_ones_in_version_order);
    RUN(the_deck_should_show_the_set_after_the_feeds_pictures_and_leave_the_feed_alone);
    RUN(a_failed_import_should_leave_the_set_and_the_stamp_alone);
    RUN(leftovers_of_an_unfinished_import_should_be_swept);
    RUN(the_key_should_match_its_sha256_only);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    IMG_Quit();
    SDL_Quit();
    return CHECK_DONE();
}
