/* file: bounded reads and careful writes of whole files. */
#ifndef MISATO_FILE_H
#define MISATO_FILE_H

#include <fcntl.h> /* AT_FDCWD */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum file_status {
    FILE_OK = 0,
    FILE_ERR_OPEN, /* missing or cannot be opened (ENOENT, EACCES...) */
    FILE_ERR_NOT_REGULAR, /* a folder, FIFO or device (EINVAL); untrusted: a link (ELOOP) or hard link (EMLINK) */
    FILE_ERR_TOO_BIG,  /* larger than the cap (EFBIG) */
    FILE_ERR_READ,     /* a read error, or fewer bytes than its size (EIO: a stick pulled out) */
    FILE_ERR_CHANGING, /* untrusted: it kept changing while it was read, three tries (EAGAIN) */
};

/* file_read's flags. */
#define FILE_UNTRUSTED 1u /* a folder IT or anyone could fill (a USB stick, media_dir) */

/* The one reader of whole files: name relative to dirfd (AT_FDCWD for a
 * path), at most max bytes, into a new buffer with a NUL after the data.
 * On FILE_OK *out is the caller's to free() and *len its length; otherwise
 * *out is NULL and errno says what the system said (the value in the enum's
 * comment where the check is ours). *type, when not NULL, receives what name
 * is (S_IFMT bits; 0 when it could not be looked at).
 *
 * Without flags links are followed and a file fstat gives no size (procfs)
 * is read to its end. With FILE_UNTRUSTED the file is looked at with
 * fstatat before it is opened and checked again after (no device is ever
 * opened, no FIFO blocks), a link in the last component or a hard link is
 * refused, and it is read twice: the bytes returned are one version of the
 * file, however it is rewritten meanwhile. */
enum file_status file_read(int dirfd, const char *name, size_t max, unsigned flags, char **out,
                           size_t *len, mode_t *type);

/* Writes all of data to fd (retrying short writes and EINTR). Returns 0 or
 * an errno value (ENOSPC, EFBIG, EIO...). */
int file_write_all(int fd, const void *data, size_t len);

/* Creates a directory and its parents (like mkdir -p); true on success or if
 * it already is a directory (errno says why not). */
bool file_mkdir_p(const char *path);

/* Creates dirfd/name (it must not exist; a link is not followed) with data,
 * fsync()ed. Returns 0 or an errno value (the partial file is removed). */
int file_create_at(int dirfd, const char *name, const void *data, size_t len);

#endif
