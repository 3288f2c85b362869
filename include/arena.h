/* arena: memory that lives until arena_free(): a parsed feed keeps all its
 * strings and arrays in one, so the whole snapshot goes with one call. */
#ifndef MISATO_ARENA_H
#define MISATO_ARENA_H

#include <stddef.h>

struct arena;
struct arena *arena_new(void);
void arena_free(struct arena *a);             /* NULL is a no-op */
void *arena_alloc(struct arena *a, size_t n); /* zeroed, 16-aligned */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);

#endif
