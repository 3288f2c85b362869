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

/* The kind told by the first bytes (never by a file's name). */
enum image_kind image_sniff(const unsigned char *data, size_t len);

/* The file extension for a kind, "png" or "jpg"; NULL for IMAGE_UNKNOWN. */
const char *image_kind_ext(enum image_kind kind);

/* Reads the pixel size from a PNG's IHDR or a JPEG's SOF marker without
 * decoding. False when the header is missing or malformed. */
bool image_header_size(const unsigned char *data, size_t len, int *w, int *h);

/* Why a decode failed. IMAGE_E_GONE means the source itself failed (an I/O
 * error, a file removed or cut while read: a stick pulled out), not that the
 * file is bad. */
enum image_error {
    IMAGE_OK,
    IMAGE_E_OPEN,            /* cannot be opened (permissions) */
    IMAGE_E_GONE,            /* vanished or unreadable mid-read */
    IMAGE_E_NOT_REGULAR,     /* a symbolic link, folder, FIFO or device */
    IMAGE_E_EMPTY,
    IMAGE_E_FILE_TOO_BIG,    /* over IMAGE_MAX_BYTES */
    IMAGE_E_NOT_IMAGE,       /* neither PNG nor JPEG by its magic bytes */
    IMAGE_E_CUT,             /* no end marker */
    IMAGE_E_HEADER,          /* no readable pixel size */
    IMAGE_E_TOO_MANY_PIXELS, /* over IMAGE_MAX_SIDE or IMAGE_MAX_PIXELS */
    IMAGE_E_DECODE,          /* the decoder refused it */
    IMAGE_E_CORRUPT,         /* JPEG data the decoder warned about (spliced, damaged) */
    IMAGE_E_CHANGING,        /* rewritten while it was being read (three tries) */
};

/* Plain Japanese for staff and IT. */
const char *image_error_ja(enum image_error e);

/* What a decode found: the kind and pixel size from the file, its length. */
struct image_info {
    enum image_error error;
    enum image_kind kind;
    int w, h;
    size_t bytes;
};

/* Decodes the file at path into a new ARGB8888 surface no larger than
 * max_w x max_h (scaled down keeping its proportions; never up). Returns
 * NULL and an English reason in why on any failure. The caller frees the
 * surface with SDL_FreeSurface. */
SDL_Surface *image_decode(const char *path, int max_w, int max_h, char *why, size_t why_size);

/* The same for name relative to the open folder dirfd (AT_FDCWD for a
 * path), never following a link in the last component. With cover the
 * picture is scaled down only as far as it still covers max_w x max_h (so
 * that both fit and fill show it sharp). *info tells what was found and,
 * on failure, why. */
SDL_Surface *image_decode_at(int dirfd, const char *name, int max_w, int max_h, bool cover,
                             struct image_info *info, char *why, size_t why_size);

#endif
