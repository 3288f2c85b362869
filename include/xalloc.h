/* xalloc: allocation that never returns NULL: out-of-memory aborts
 * (systemd restarts the player). Zero sizes allocate one byte. */
#ifndef MISATO_XALLOC_H
#define MISATO_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
