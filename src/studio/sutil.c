/* sutil: the studio's small helpers: capped buffers, atomic file writes,
 * random tokens, ETags. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "file.h"
#include "studio.h"
#include "util.h"
#include "xalloc.h"

bool sbuf_append(struct sbuf *b, const void *data, size_t len) {
    if (b->max && b->len + len > b->max) return false;
    if (b->len + len + 1 > b->cap_alloc) {
        size_t n = b->cap_alloc ? b->cap_alloc : 256;
        while (n < b->len + len + 1) n *= 2;
        b->data = xrealloc(b->data, n);
        b->cap_alloc = n;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return true;
}

bool sbuf_printf(struct sbuf *b, const char *fmt, ...) {
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return false;
    return sbuf_append(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void sbuf_free(struct sbuf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

int studio_write_atomic(const char *path, const void *data, size_t len, unsigned mode) {
    char dir[PATH_MAX], tmp[PATH_MAX + 32];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir) dir[1] = '\0';
    else if (slash) *slash = '\0';
    else snprintf(dir, sizeof dir, ".");
    char rnd[17];
    studio_random_hex(rnd, 8);
    snprintf(tmp, sizeof tmp, "%s.tmp-%s", path, rnd);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return errno;
    int rc = file_write_all(fd, data, len);
    if (rc == 0 && fchmod(fd, mode) != 0) rc = errno;
    if (rc == 0 && fsync(fd) != 0) rc = errno;
    if (close(fd) != 0 && rc == 0) rc = errno;
    if (rc == 0 && rename(tmp, path) != 0) rc = errno;
    if (rc != 0) {
        unlink(tmp);
        return rc;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

void studio_random_hex(char *out, size_t n_bytes) {
    unsigned char buf[64];
    if (n_bytes > sizeof buf) n_bytes = sizeof buf;
    if (RAND_bytes(buf, (int)n_bytes) != 1) abort(); /* no randomness: no sessions */
    for (size_t i = 0; i < n_bytes; i++) sprintf(out + 2 * i, "%02x", buf[i]);
    out[2 * n_bytes] = '\0';
}

bool studio_parse_size(const char *s, int *w, int *h) {
    char a[16], b[16];
    const char *x = strchr(s, 'x');
    if (x == NULL || (size_t)(x - s) >= sizeof a || strlen(x + 1) >= sizeof b) return false;
    memcpy(a, s, (size_t)(x - s));
    a[x - s] = '\0';
    snprintf(b, sizeof b, "%s", x + 1);
    long lw, lh;
    if (!util_parse_long(a, 160, 7680, &lw) || !util_parse_long(b, 160, 7680, &lh)) return false;
    *w = (int)lw;
    *h = (int)lh;
    return true;
}

void studio_etag(const char *body, size_t len, char out[40]) {
    char hex[65];
    util_sha256_hex(body, len, hex);
    snprintf(out, 40, "\"%.32s\"", hex);
}
