/* utf8: checks and decoding of UTF-8 text (see utf8.h). */
#include "utf8.h"

bool utf8_valid(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str, *end = s + len;
    while (s < end) {
        unsigned c = *s;
        if (c == 0) return false;
        if (c < 0x80) {
            s++;
            continue;
        }
        size_t n;
        uint32_t cp, min;
        if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F, min = 0x80;
        else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F, min = 0x800;
        else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07, min = 0x10000;
        else return false;
        if ((size_t)(end - s) <= n) return false;
        for (size_t i = 1; i <= n; i++) {
            if ((s[i] & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        s += n + 1;
    }
    return true;
}

uint32_t utf8_next(const char **str) {
    const unsigned char *s = (const unsigned char *)*str;
    uint32_t cp;
    size_t n;
    if (s[0] < 0x80) cp = s[0], n = 0;
    else if ((s[0] & 0xE0) == 0xC0) cp = s[0] & 0x1F, n = 1;
    else if ((s[0] & 0xF0) == 0xE0) cp = s[0] & 0x0F, n = 2;
    else cp = s[0] & 0x07, n = 3;
    for (size_t i = 1; i <= n && s[i]; i++) cp = (cp << 6) | (s[i] & 0x3F);
    *str += n + 1;
    return cp;
}

size_t utf8_length(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

