/* Fuzz target for the manifest of an imported picture set
 * (media_dir/set-N/playlist.json, which the player wrote itself but reads
 * back after power cuts and hand edits): any bytes as the manifest, read by
 * media_set_load and put into the embedded plan's deck. */
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "deck.h"
#include "feed.h"
#include "fuzz_files.h"
#include "media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct feed *feed;
static void free_feed(void) { feed_free(feed); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char media[200];
    if (media[0] == '\0') {
        snprintf(media, sizeof media, "%s/media", fuzz_tmp());
        mkdir(media, 0755);
        char set[256], link[256];
        snprintf(set, sizeof set, "%s/set-000001", media);
        mkdir(set, 0755);
        snprintf(link, sizeof link, "%s/current", media);
        if (symlink("set-000001", link) != 0) abort();
        if (feed_parse_default(NULL, &feed) > FEED_PROBLEMS) abort();
        atexit(free_feed);
    }
    fuzz_write("media/set-000001/playlist.json", data, size);
    struct media_set *set = media_set_load(media);
    if (set == NULL || set->n > MEDIA_MAX_ITEMS) abort();
    static struct deck deck;
    struct deck_pictures pics = {NULL, set};
    deck_build(feed, &pics, 10, 0, false, &deck);
    for (size_t i = 0; i < deck.n; i++) (void)deck_slide_picture(feed, &pics, &deck.slides[i]);
    media_set_free(set);
    return 0;
}

#include "fuzz_replay.h"
