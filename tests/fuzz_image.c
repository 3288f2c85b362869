/* Fuzz target for picture files (USB sticks, the feed's media): any bytes
 * as a file, through the checked decoder (magic bytes, end markers, header
 * sizes, libjpeg with its warnings, SDL_image's PNG loader, scaling). */
#include <stddef.h>
#include <stdint.h>

#include <SDL.h>

#include "fuzz_files.h"
#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_write("picture", data, size);
    int dirfd = open(fuzz_tmp(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) abort();
    int w = 0, h = 0;
    if (image_header_size(data, size, &w, &h) && (w <= 0 || h <= 0)) abort();
    (void)image_sniff(data, size);
    struct image_info info;
    char why[256];
    SDL_Surface *s = image_decode_at(dirfd, "picture", 320, 240, size % 2 == 0, &info, why, sizeof why);
    if (s && (s->w > 320 * 2 || s->h > 240 * 2 || s->w < 1 || s->h < 1)) abort();
    if (s == NULL && info.error == IMAGE_OK) abort();
    SDL_FreeSurface(s);
    close(dirfd);
    return 0;
}

#include "fuzz_replay.h"
