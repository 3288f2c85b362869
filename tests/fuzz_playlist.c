/* Fuzz target for IT's playlist on a USB stick: the first byte picks
 * playlist.json or playlist.txt, the rest is the file, imported with two
 * real pictures beside it through media_import (the same code a stick
 * goes through, with a report). Nothing outside media_dir changes. */
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "fuzz_files.h"
#include "media_import.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1x1 PNG (red) */
static const uint8_t png1[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
    0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
    0x44, 0xae, 0x42, 0x60, 0x82};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char src[200], media[200];
    if (src[0] == '\0') {
        snprintf(src, sizeof src, "%s/stick", fuzz_tmp());
        snprintf(media, sizeof media, "%s/media", fuzz_tmp());
        mkdir(src, 0755);
        fuzz_write("stick/a.png", png1, sizeof png1);
        fuzz_write("stick/poster-2.png", png1, sizeof png1);
    }
    if (size == 0) return 0;
    bool txt = data[0] & 1;
    char rel[64];
    snprintf(rel, sizeof rel, "stick/playlist.%s", txt ? "txt" : "json");
    char other[256];
    snprintf(other, sizeof other, "%s/stick/playlist.%s", fuzz_tmp(), txt ? "json" : "txt");
    unlink(other);
    fuzz_write(rel, data + 1, size - 1);
    struct media_import_options opt = {.media_dir = media, .screen_w = 64, .screen_h = 36};
    struct media_report rep;
    media_import(src, &opt, &rep);
    char *text = media_report_text(&rep);
    if (text == NULL || !utf8_valid(text, strlen(text))) abort();
    free(text);
    char toast[512];
    media_report_toast(&rep, toast, sizeof toast);
    media_report_clear(&rep);
    return 0;
}

#include "fuzz_replay.h"
