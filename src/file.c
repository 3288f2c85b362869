/* file: bounded reads and careful writes of whole files (see file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xalloc.h"

int file_write_all(int fd, const void *data, size_t len) {
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return errno;
        if (w == 0) return EIO;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

bool file_mkdir_p(const char *path) {
    char buf[PATH_MAX];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof buf) return false;
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0') continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST) return false;
        buf[i] = saved;
    }
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int file_create_at(int dirfd, const char *name, const void *data, size_t len) {
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return errno;
    int rc = file_write_all(fd, data, len);
    if (rc == 0 && fsync(fd) != 0) rc = errno;
    if (close(fd) != 0 && rc == 0) rc = errno;
    if (rc) unlinkat(dirfd, name, 0);
    return rc;
}

/* The end of both reads: the buffer (NUL-terminated) handed over, or
 * freed with errno = e and st returned; fd closed either way. */
static enum file_status read_finish(int fd, char *buf, size_t size, enum file_status st, int e,
                                    char **out, size_t *len) {
    close(fd);
    if (st != FILE_OK) {
        free(buf);
        errno = e;
        return st;
    }
    buf[size] = '\0';
    *out = buf;
    *len = size;
    return FILE_OK;
}

/* A file of our own or the administrator's: links are followed, and a file
 * whose size fstat does not know (procfs) is read to its end. */
static enum file_status read_trusted(int dirfd, const char *name, size_t cap, char **out,
                                     size_t *len, mode_t *type) {
    enum file_status st = FILE_ERR_READ;
    char *buf = NULL;
    int e = 0;
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return FILE_ERR_OPEN;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        e = errno;
        goto fail;
    }
    if (type) *type = sb.st_mode & S_IFMT;
    if (!S_ISREG(sb.st_mode)) {
        st = FILE_ERR_NOT_REGULAR;
        e = EINVAL;
        goto fail;
    }
    if ((unsigned long long)sb.st_size > cap) {
        st = FILE_ERR_TOO_BIG;
        e = EFBIG;
        goto fail;
    }
    /* Read up to cap+1 bytes whatever fstat said: the file may grow. */
    size_t size = 0, alloc = (size_t)sb.st_size + 1;
    buf = xmalloc(alloc + 1);
    for (;;) {
        if (size == alloc) {
            if (alloc > cap) {
                st = FILE_ERR_TOO_BIG;
                e = EFBIG;
                goto fail;
            }
            alloc = alloc * 2 > cap + 1 ? cap + 1 : alloc * 2;
            buf = xrealloc(buf, alloc + 1);
        }
        ssize_t r = read(fd, buf + size, alloc - size);
        if (r < 0) {
            if (errno == EINTR) continue;
            e = errno;
            goto fail;
        }
        if (r == 0) break;
        size += (size_t)r;
    }
    if (size > cap) {
        st = FILE_ERR_TOO_BIG;
        e = EFBIG;
        goto fail;
    }
    return read_finish(fd, buf, size, FILE_OK, 0, out, len);
fail:
    return read_finish(fd, buf, 0, st, e, out, len);
}

/* Reads fd from the start again and compares it with buf: timestamps are
 * too coarse (a jiffy) to see a rewrite during a read of a few ms, and the
 * second read comes from the page cache, so this costs a memcmp. */
static bool same_as_file(int fd, const char *buf, size_t size, int *err) {
    char chunk[65536];
    size_t at = 0;
    *err = 0;
    if (lseek(fd, 0, SEEK_SET) != 0) {
        *err = errno;
        return false;
    }
    for (;;) {
        ssize_t r = read(fd, chunk, sizeof chunk);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            *err = errno;
            return false;
        }
        if (r == 0) return at == size;
        if ((size_t)r > size - at || memcmp(chunk, buf + at, (size_t)r) != 0) return false;
        at += (size_t)r;
    }
}

static bool same_version(const struct stat *a, const struct stat *b) {
    return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* A file from an untrusted folder: looked at before it is opened (opening
 * a device node can have side effects), no link in its last component and
 * no hard link (it can name a file outside the folder, even one the player
 * could otherwise read, like its own state), read whole as one version. */
static enum file_status read_untrusted(int dirfd, const char *name, size_t max, char **out,
                                       size_t *len, mode_t *type) {
    struct stat sb;
    if (fstatat(dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0) return FILE_ERR_OPEN;
    if (type) *type = sb.st_mode & S_IFMT;
    if (!S_ISREG(sb.st_mode) || sb.st_nlink > 1) {
        errno = S_ISREG(sb.st_mode) ? EMLINK : EINVAL;
        return FILE_ERR_NOT_REGULAR;
    }
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return errno == ELOOP ? FILE_ERR_NOT_REGULAR : FILE_ERR_OPEN;
    char *buf = NULL;
    int e = 0;
    enum file_status st = FILE_ERR_NOT_REGULAR;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        sb.st_nlink > 1) { /* swapped since the first look */
        e = S_ISREG(sb.st_mode) && sb.st_nlink > 1 ? EMLINK : EINVAL;
        goto fail;
    }
    st = FILE_ERR_TOO_BIG;
    if ((unsigned long long)sb.st_size > max) {
        e = EFBIG;
        goto fail;
    }
    st = FILE_ERR_READ;
    /* Read whole, then look again: a file rewritten while it was read would
     * be a mix of two versions, which a JPEG decodes without complaint into
     * a banded picture. A second read must give the same bytes and the same
     * size, mtime and ctime; else read again, up to three times, then give
     * up with EAGAIN. Every check, the hash and the decode then use these
     * bytes; the file is not opened again. */
    for (int attempt = 0;; attempt++) {
        size_t size = (size_t)sb.st_size, got = 0;
        free(buf);
        buf = xmalloc(size + 1);
        e = 0;
        if (lseek(fd, 0, SEEK_SET) != 0) {
            e = errno;
            goto fail;
        }
        while (got < size) {
            ssize_t r = read(fd, buf + got, size - got);
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) e = errno;
            if (r <= 0) break;
            got += (size_t)r;
        }
        struct stat after;
        if (got == size && e == 0 && !same_as_file(fd, buf, size, &e) && e == 0) e = EAGAIN;
        if (e && e != EAGAIN) goto fail;
        if (fstat(fd, &after) != 0) {
            e = errno;
            goto fail;
        }
        if (e == EAGAIN || !same_version(&sb, &after)) {
            if (attempt == 2 || (unsigned long long)after.st_size > max) {
                bool big = (unsigned long long)after.st_size > max;
                e = big ? EFBIG : EAGAIN;
                st = big ? FILE_ERR_TOO_BIG : FILE_ERR_CHANGING;
                goto fail;
            }
            sb = after;
            continue;
        }
        if (got != size) { /* a stick pulled out mid-read can look like a short file */
            if (e == 0) e = EIO;
            goto fail;
        }
        return read_finish(fd, buf, size, FILE_OK, 0, out, len);
    }
fail:
    return read_finish(fd, buf, 0, st, e, out, len);
}

enum file_status file_read(int dirfd, const char *name, size_t max, unsigned flags, char **out,
                           size_t *len, mode_t *type) {
    *out = NULL;
    *len = 0;
    if (type) *type = 0;
    return flags & FILE_UNTRUSTED ? read_untrusted(dirfd, name, max, out, len, type)
                                  : read_trusted(dirfd, name, max, out, len, type);
}
