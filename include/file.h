/* file: bounded reads and careful writes of whole files. */
#ifndef MISATO_FILE_H
#define MISATO_FILE_H

#include <stddef.h>

/* Creates dirfd/name (it must not exist; a link is not followed) with data,
 * fsync()ed. Returns 0 or an errno value (the partial file is removed). */
int file_create_at(int dirfd, const char *name, const void *data, size_t len);

#endif
