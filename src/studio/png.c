/* png: a fast PNG writer for previews (8-bit RGB, zlib at a low level with
 * the Up filter): SDL_image's libpng defaults take ~100 ms a 1080p slide,
 * which made a whole deck's preview 5 s; this takes a fraction of that.
 * Pure: any thread. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "studio_png.h"
#include "xalloc.h"

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Appends one chunk (length, type, data, CRC) at out + *pos. */
static void chunk(unsigned char *out, size_t *pos, const char type[4], const unsigned char *data,
                  size_t len) {
    put32(out + *pos, (uint32_t)len);
    memcpy(out + *pos + 4, type, 4);
    if (len) memcpy(out + *pos + 8, data, len);
    uLong crc = crc32(0L, out + *pos + 4, (uInt)(len + 4));
    put32(out + *pos + 8 + len, (uint32_t)crc);
    *pos += 12 + len;
}

unsigned char *png_encode_argb(const uint32_t *pixels, int w, int h, int pitch, size_t *len) {
    size_t row = (size_t)w * 3 + 1;
    size_t raw_len = row * (size_t)h;
    unsigned char *raw = xmalloc(raw_len);
    for (int y = 0; y < h; y++) {
        const uint32_t *src = (const uint32_t *)((const unsigned char *)pixels + (size_t)y * (size_t)pitch);
        unsigned char *dst = raw + (size_t)y * row;
        dst[0] = 2; /* Up: flat slides become long runs of zeros */
        for (int x = 0; x < w; x++) {
            uint32_t p = src[x];
            dst[1 + 3 * x] = (unsigned char)(p >> 16);
            dst[2 + 3 * x] = (unsigned char)(p >> 8);
            dst[3 + 3 * x] = (unsigned char)p;
        }
    }
    /* Apply Up from the bottom row upwards so each row uses the unfiltered one above. */
    for (int y = h - 1; y > 0; y--) {
        unsigned char *cur = raw + (size_t)y * row, *up = cur - row;
        for (size_t i = 1; i < row; i++) cur[i] = (unsigned char)(cur[i] - up[i]);
    }
    uLong bound = compressBound((uLong)raw_len);
    unsigned char *out = xmalloc((size_t)bound + 8 + 25 + 12 + 12);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memcpy(out, sig, 8);
    size_t pos = 8;
    unsigned char ihdr[13];
    put32(ihdr, (uint32_t)w);
    put32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bit depth */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;
    chunk(out, &pos, "IHDR", ihdr, sizeof ihdr);
    z_stream z = {0};
    if (deflateInit2(&z, 1, Z_DEFLATED, 15, 8, Z_RLE) != Z_OK) {
        free(raw);
        free(out);
        return NULL;
    }
    z.next_in = raw;
    z.avail_in = (uInt)raw_len;
    z.next_out = out + pos + 8;
    z.avail_out = (uInt)bound;
    int rc = deflate(&z, Z_FINISH);
    size_t zlen = (size_t)z.total_out;
    deflateEnd(&z);
    free(raw);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    /* The IDAT data is already in place: write its header and CRC around it. */
    put32(out + pos, (uint32_t)zlen);
    memcpy(out + pos + 4, "IDAT", 4);
    put32(out + pos + 8 + zlen, (uint32_t)crc32(0L, out + pos + 4, (uInt)(zlen + 4)));
    pos += 12 + zlen;
    chunk(out, &pos, "IEND", NULL, 0);
    *len = pos;
    return out;
}
