/* utf8: checks and decoding of UTF-8 text. */
#ifndef MISATO_UTF8_H
#define MISATO_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates, no
 * code points past U+10FFFF) and holds no NUL byte. */
bool utf8_valid(const char *s, size_t len);

/* Decodes the code point at *s (which must be valid UTF-8, see utf8_valid)
 * and advances *s past it. */
uint32_t utf8_next(const char **s);

/* Number of code points in a valid UTF-8 string. */
size_t utf8_length(const char *s);

#endif
