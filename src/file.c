/* file: bounded reads and careful writes of whole files (see file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "util.h"

int file_create_at(int dirfd, const char *name, const void *data, size_t len) {
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    int rc = util_write_all(fd, data, len);
    if (rc == 0 && fsync(fd) != 0) rc = errno;
    if (close(fd) != 0 && rc == 0) rc = errno;
    if (rc) unlinkat(dirfd, name, 0);
    return rc;
}
