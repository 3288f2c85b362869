/* studio_png: a fast PNG writer for preview slides (see png.c). */
#ifndef MISATO_STUDIO_PNG_H
#define MISATO_STUDIO_PNG_H

#include <stddef.h>
#include <stdint.h>

/* Encodes w x h ARGB8888 pixels (rows pitch bytes apart) as an 8-bit RGB
 * PNG. Returns a malloc()ed buffer and its length in *len, or NULL. */
unsigned char *png_encode_argb(const uint32_t *pixels, int w, int h, int pitch, size_t *len);

#endif
