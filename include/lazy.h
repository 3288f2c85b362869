/* lazy: libcurl, SDL_image, libjpeg, libcrypto, libqrencode and libsystemd
 * opened with dlopen the first time the player calls one of their
 * functions, not at exec (src/lazy.c says why). Any thread. */
#ifndef MISATO_LAZY_H
#define MISATO_LAZY_H

#include <stdbool.h>
#include <stddef.h>

/* Opens every library and looks up every function the player forwards to
 * it. Returns 0, or -1 with what is missing in why. */
int lazy_check(char *why, size_t why_len);

/* Whether the library with this soname (e.g. "libcurl.so.4") was opened. */
bool lazy_loaded(const char *soname);

#endif
