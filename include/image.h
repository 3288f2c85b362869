/* image: safe decoding of slide images (PNG and JPEG only) into SDL
 * surfaces, off the main thread. Files are untrusted: they are opened
 * without following links, must be regular files under a size cap, are told
 * apart by their magic bytes (never their names), have their pixel size read
 * from the header and capped before any decoding, and must be read whole.
 * Only SDL_image's PNG and JPEG loaders are ever used (its XCF, LBM, PCX,
 * TGA and GIF decoders have known holes). No SDL video call is made, so
 * this runs on any thread. */
#ifndef MISATO_IMAGE_H
#define MISATO_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

#include <SDL.h>

#define IMAGE_MAX_BYTES (32u << 20)
#define IMAGE_MAX_SIDE 8192
#define IMAGE_MAX_PIXELS (40u * 1000 * 1000)

enum image_kind { IMAGE_UNKNOWN, IMAGE_PNG, IMAGE_JPEG };

/* The kind told by the first bytes. */
enum image_kind image_sniff(const unsigned char *data, size_t len);

/* Reads the pixel size from a PNG's IHDR or a JPEG's SOF marker without
 * decoding. False when the header is missing or malformed. */
bool image_header_size(const unsigned char *data, size_t len, int *w, int *h);

/* Decodes the file at path into a new ARGB8888 surface no larger than
 * max_w x max_h (scaled down keeping its proportions; never up). Returns
 * NULL and an English reason in why on any failure. The caller frees the
 * surface with SDL_FreeSurface. */
SDL_Surface *image_decode(const char *path, int max_w, int max_h, char *why, size_t why_size);

#endif
