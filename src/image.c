/* image: bounded, checked PNG/JPEG decoding into surfaces (any thread). */
#include "image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>

#include <SDL_image.h>
#include <jpeglib.h>
#include <jerror.h>

#include "file.h"
#include "util.h"

enum image_kind image_sniff(const unsigned char *b, size_t n) {
    if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0) return IMAGE_PNG;
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return IMAGE_JPEG;
    return IMAGE_UNKNOWN;
}

const char *image_kind_ext(enum image_kind kind) {
    switch (kind) {
    case IMAGE_PNG: return "png";
    case IMAGE_JPEG: return "jpg";
    case IMAGE_UNKNOWN: break;
    }
    return NULL;
}

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned long be32(const unsigned char *p) {
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

bool image_header_size(const unsigned char *b, size_t n, int *w, int *h) {
    switch (image_sniff(b, n)) {
    case IMAGE_PNG:
        /* signature, then the IHDR chunk: length 13, "IHDR", width, height */
        if (n < 24 || memcmp(b + 12, "IHDR", 4) != 0) return false;
        if (be32(b + 16) > 0x7FFFFFFFul || be32(b + 20) > 0x7FFFFFFFul) return false;
        *w = (int)be32(b + 16);
        *h = (int)be32(b + 20);
        return *w > 0 && *h > 0;
    case IMAGE_JPEG: {
        /* Walk the markers to the first SOFn (not DHT, JPG, DAC). */
        size_t i = 2;
        while (i + 4 <= n) {
            if (b[i] != 0xFF) return false;
            unsigned char m = b[i + 1];
            if (m == 0xFF) { /* fill byte */
                i++;
                continue;
            }
            if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) {
                i += 2;
                continue;
            }
            unsigned len = be16(b + i + 2);
            if (len < 2) return false;
            if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
                if (i + 9 > n || len < 7) return false;
                *h = (int)be16(b + i + 5);
                *w = (int)be16(b + i + 7);
                return *w > 0 && *h > 0;
            }
            if (m == 0xDA || m == 0xD9) return false; /* scan or end before any SOF */
            i += 2 + len;
        }
        return false;
    }
    default:
        return false;
    }
}

/* True when the JPEG's segments and entropy-coded data lead to its EOI
 * marker. Walked rather than looked for at the end of the file: phones
 * append data after EOI (motion photos), and an EXIF thumbnail carries an
 * EOI of its own near the start. */
static bool jpeg_complete(const unsigned char *b, size_t n) {
    if (n < 4 || b[0] != 0xFF || b[1] != 0xD8) return false;
    size_t i = 2;
    while (i + 2 <= n) {
        if (b[i] != 0xFF) return false;
        unsigned m = b[i + 1];
        if (m == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (m == 0xD9) return true;
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* markers without a length */
            i += 2;
            continue;
        }
        if (i + 4 > n) return false;
        size_t seg = be16(b + i + 2);
        if (seg < 2 || seg > n - i - 2) return false;
        i += 2 + seg;
        if (m == 0xDA) {
            /* Scan data: FF is followed by 00 (stuffing), a restart marker
             * or more FF; anything else is the next marker. */
            while (i + 1 < n && !(b[i] == 0xFF && b[i + 1] != 0x00 && b[i + 1] != 0xFF &&
                                  !(b[i + 1] >= 0xD0 && b[i + 1] <= 0xD7)))
                i++;
            if (i + 1 >= n) return false;
        }
    }
    return false;
}

/* Whether errno after open/read means the source itself went away (a stick
 * pulled out, a file removed under us) rather than a bad file. */
static bool source_lost(int e) {
    return e == ENOENT || e == EIO || e == ENODEV || e == ENXIO || e == ESTALE || e == ENOTDIR;
}

/* Reads the whole file with file_read and says, in image_error terms,
 * why it could not. */
static unsigned char *read_whole(int dirfd, const char *name, size_t *len, enum image_error *err, char *why,
                                 size_t why_size) {
    mode_t type = 0;
    char *data = NULL;
    file_read(dirfd, name, IMAGE_MAX_BYTES, FILE_UNTRUSTED, &data, len, &type);
    unsigned char *buf = (unsigned char *)data;
    if (buf && *len == 0) {
        free(buf);
        *err = IMAGE_E_EMPTY;
        util_snprintf_cut(why, why_size, "empty file");
        return NULL;
    }
    if (buf) return buf;
    int e = errno;
    if (e == EINVAL || e == ELOOP) {
        *err = IMAGE_E_NOT_REGULAR;
        util_snprintf_cut(why, why_size, "not a regular file (%s)",
                     S_ISLNK(type) || e == ELOOP ? "a symbolic link" : S_ISDIR(type) ? "a folder"
                     : S_ISFIFO(type) ? "a FIFO" : type ? "a device or socket" : "changed while opened");
    } else if (e == EMLINK) {
        *err = IMAGE_E_NOT_REGULAR;
        util_snprintf_cut(why, why_size, "a hard link (links are refused)");
    } else if (e == EAGAIN) {
        *err = IMAGE_E_CHANGING;
        util_snprintf_cut(why, why_size, "the file changed while it was read");
    } else if (e == EFBIG) {
        *err = IMAGE_E_FILE_TOO_BIG;
        util_snprintf_cut(why, why_size, "larger than 32 MiB");
    } else {
        *err = source_lost(e) ? IMAGE_E_GONE : IMAGE_E_OPEN;
        util_snprintf_cut(why, why_size, "cannot read: %s", strerror(e));
    }
    return NULL;
}

enum { JPEG_PADDING_MAX = 16 };

/* JPEG through libjpeg itself rather than SDL_image, which ignores the
 * decoder's warnings: a JPEG has no checksum, so a file spliced from two
 * versions (one rewritten in place while it was copied or read) decodes
 * "successfully" into a banded picture, and only the entropy decoder's
 * warnings (bad Huffman code, premature end of data, many bytes left over
 * at the end of a scan) tell. Any warning refuses the file but a few
 * "extraneous bytes before marker" (an encoder's padding). */
struct jpeg_err {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    int warnings;
    char msg[JMSG_LENGTH_MAX];
};

static void jpeg_on_error(j_common_ptr c) {
    struct jpeg_err *e = (struct jpeg_err *)c->err;
    c->err->format_message(c, e->msg);
    longjmp(e->jump, 1);
}

static void jpeg_on_message(j_common_ptr c, int level) {
    struct jpeg_err *e = (struct jpeg_err *)c->err;
    if (level >= 0) return; /* trace messages */
    if (c->err->msg_code == JWRN_EXTRANEOUS_DATA) {
        /* Bytes skipped before a marker. A few are common and harmless
         * (an encoder's padding); many before the end, a restart or the next
         * scan are the entropy data of another version: the decoder ran
         * out of blocks before it ran out of bytes. */
        int bytes = c->err->msg_parm.i[0], marker = c->err->msg_parm.i[1];
        bool after_data = marker == JPEG_EOI || marker == 0xDA || (marker >= 0xD0 && marker <= 0xD7);
        if (!after_data || bytes <= JPEG_PADDING_MAX) return;
    }
    if (e->warnings++ == 0) c->err->format_message(c, e->msg);
}

/* The bytes go to libjpeg JPEG_FEED at a time, not as one buffer
 * (jpeg_mem_src). While it holds 512 bytes or more per block of an MCU,
 * libjpeg-turbo takes its fast Huffman path, which decodes a bad code as a
 * zero without a warning: most splices then decoded "cleanly". With less
 * buffered it always takes the careful path, which warns. */
enum { JPEG_FEED = 256 };
struct jpeg_feed {
    struct jpeg_source_mgr pub;
    const JOCTET *data;
    size_t len, pos;
};

static void feed_init(j_decompress_ptr c) {
    (void)c;
}

static boolean feed_fill(j_decompress_ptr c) {
    static const JOCTET eoi[2] = {0xFF, JPEG_EOI};
    struct jpeg_feed *f = (struct jpeg_feed *)c->src;
    if (f->pos >= f->len) { /* past the end: a warning (so refused), and an end marker */
        WARNMS(c, JWRN_JPEG_EOF);
        f->pub.next_input_byte = eoi;
        f->pub.bytes_in_buffer = sizeof eoi;
        return TRUE;
    }
    size_t n = f->len - f->pos < JPEG_FEED ? f->len - f->pos : JPEG_FEED;
    f->pub.next_input_byte = f->data + f->pos;
    f->pub.bytes_in_buffer = n;
    f->pos += n;
    return TRUE;
}

static void feed_skip(j_decompress_ptr c, long n) {
    struct jpeg_feed *f = (struct jpeg_feed *)c->src;
    if (n <= 0) return;
    if ((size_t)n <= f->pub.bytes_in_buffer) {
        f->pub.next_input_byte += n;
        f->pub.bytes_in_buffer -= (size_t)n;
        return;
    }
    size_t rest = (size_t)n - f->pub.bytes_in_buffer;
    f->pos = rest < f->len - f->pos ? f->pos + rest : f->len;
    f->pub.bytes_in_buffer = 0;
    feed_fill(c);
}

static void feed_term(j_decompress_ptr c) {
    (void)c;
}

static SDL_Surface *decode_jpeg(const unsigned char *data, size_t len, char *why, size_t why_size) {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_err err = {0};
    SDL_Surface *volatile s = NULL;
    cinfo.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = jpeg_on_error;
    err.mgr.emit_message = jpeg_on_message;
    if (setjmp(err.jump)) {
        util_snprintf_cut(why, why_size, "cannot decode: %s", err.msg);
        jpeg_destroy_decompress(&cinfo);
        SDL_FreeSurface(s);
        return NULL;
    }
    jpeg_create_decompress(&cinfo);
    struct jpeg_feed feed = {.pub = {.init_source = feed_init,
                                     .fill_input_buffer = feed_fill,
                                     .skip_input_data = feed_skip,
                                     .resync_to_restart = jpeg_resync_to_restart,
                                     .term_source = feed_term},
                             .data = data,
                             .len = len};
    cinfo.src = &feed.pub;
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_EXT_BGRX; /* = ARGB8888 in memory on little-endian, as SDL wants */
    jpeg_start_decompress(&cinfo);
    s = SDL_CreateRGBSurfaceWithFormat(0, (int)cinfo.output_width, (int)cinfo.output_height, 32,
                                       SDL_PIXELFORMAT_ARGB8888);
    if (s == NULL) {
        util_snprintf_cut(why, why_size, "cannot decode: %s", SDL_GetError());
        jpeg_destroy_decompress(&cinfo);
        return NULL;
    }
    while (cinfo.output_scanline < cinfo.output_height && err.warnings == 0) {
        JSAMPROW row = (JSAMPROW)((unsigned char *)s->pixels + (size_t)cinfo.output_scanline * (size_t)s->pitch);
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    if (err.warnings == 0) jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (err.warnings) {
        util_snprintf_cut(why, why_size, "corrupt JPEG data: %s", err.msg);
        SDL_FreeSurface(s);
        return NULL;
    }
    /* libjpeg leaves the X byte as is: make it opaque. */
    for (int y = 0; y < s->h; y++) {
        Uint32 *px = (Uint32 *)((unsigned char *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < s->w; x++) px[x] |= 0xFF000000u;
    }
    return s;
}

SDL_Surface *image_decode(const char *path, int max_w, int max_h, char *why, size_t why_size) {
    struct image_info info;
    return image_decode_at(AT_FDCWD, path, max_w, max_h, false, &info, why, why_size);
}

/* What the bytes are, before any decoding: PNG or JPEG by the magic bytes,
 * whole (an end marker), a readable header, a pixel size within the caps.
 * Fills info (error on failure, kind) and *w, *h. */
static bool check_bytes(const unsigned char *data, size_t len, struct image_info *info, int *w, int *h,
                        char *why, size_t why_size) {
    enum image_kind kind = image_sniff(data, len);
    info->kind = kind;
    if (kind == IMAGE_UNKNOWN) {
        info->error = IMAGE_E_NOT_IMAGE;
        util_snprintf_cut(why, why_size, "not a PNG or JPEG file");
        return false;
    }
    /* A whole file reaches its end marker: PNG's IEND chunk, JPEG's EOI
     * (libjpeg would pad a cut-off JPEG with grey and call it a picture). */
    bool complete = kind == IMAGE_PNG
                        ? len >= 20 && memcmp(data + len - 12, "\0\0\0\0IEND\xAE\x42\x60\x82", 12) == 0
                        : jpeg_complete(data, len);
    if (!complete) {
        info->error = IMAGE_E_CUT;
        util_snprintf_cut(why, why_size, "the file is cut short (no end marker)");
        return false;
    }
    if (!image_header_size(data, len, w, h)) {
        info->error = IMAGE_E_HEADER;
        util_snprintf_cut(why, why_size, "no readable image header");
        return false;
    }
    if (*w > IMAGE_MAX_SIDE || *h > IMAGE_MAX_SIDE || (unsigned long)*w * (unsigned long)*h > IMAGE_MAX_PIXELS) {
        info->error = IMAGE_E_TOO_MANY_PIXELS;
        /* Say which limit: 8192x8192 is within the sides but over the area. */
        if (*w > IMAGE_MAX_SIDE || *h > IMAGE_MAX_SIDE)
            util_snprintf_cut(why, why_size, "%dx%d pixels is too large (at most %d pixels a side)", *w, *h,
                              IMAGE_MAX_SIDE);
        else
            util_snprintf_cut(why, why_size, "%dx%d pixels is too large (%.1f megapixels, at most %.0f)", *w,
                              *h, (double)*w * *h / 1e6, (double)IMAGE_MAX_PIXELS / 1e6);
        return false;
    }
    return true;
}

/* argb (w x h) scaled down to max_w x max_h, proportions kept (with cover:
 * only as far as it still covers them), so the main thread only uploads a
 * texture no larger than it will draw. Takes argb; NULL with why on failure. */
static SDL_Surface *scale_down(SDL_Surface *argb, int w, int h, int max_w, int max_h, bool cover, char *why,
                               size_t why_size) {
    double s = 1.0;
    if (cover && max_w > 0 && max_h > 0) {
        /* Large enough to cover the screen: fit and fill both stay sharp. */
        double sw = (double)max_w / w, sh = (double)max_h / h;
        s = sw > sh ? sw : sh;
        if (s > 1.0) s = 1.0;
    } else {
        if (max_w > 0 && w > max_w) s = (double)max_w / w;
        if (max_h > 0 && h * s > max_h) s = (double)max_h / h;
    }
    if (s >= 1.0) return argb;
    int nw = (int)(w * s + 0.5), nh = (int)(h * s + 0.5);
    if (nw < 1) nw = 1;
    if (nh < 1) nh = 1;
    SDL_Surface *out = SDL_CreateRGBSurfaceWithFormat(0, nw, nh, 32, SDL_PIXELFORMAT_ARGB8888);
    if (out && SDL_SoftStretchLinear(argb, NULL, out, NULL) != 0) {
        SDL_FreeSurface(out);
        out = NULL;
    }
    if (out == NULL) util_snprintf_cut(why, why_size, "cannot scale: %s", SDL_GetError());
    SDL_FreeSurface(argb);
    return out;
}

SDL_Surface *image_decode_at(int dirfd, const char *name, int max_w, int max_h, bool cover,
                             struct image_info *info, char *why, size_t why_size) {
    memset(info, 0, sizeof *info);
    size_t len = 0;
    unsigned char *data = read_whole(dirfd, name, &len, &info->error, why, why_size);
    if (data == NULL) return NULL;
    SDL_Surface *out = NULL, *raw = NULL, *argb = NULL;
    int w = 0, h = 0;
    info->bytes = len;
    if (!check_bytes(data, len, info, &w, &h, why, why_size)) goto done;
    info->error = IMAGE_E_DECODE;
    if (info->kind == IMAGE_JPEG) {
        raw = decode_jpeg(data, len, why, why_size);
        if (raw == NULL) {
            info->error = strstr(why, "corrupt JPEG") ? IMAGE_E_CORRUPT : IMAGE_E_DECODE;
            goto done;
        }
    } else {
        SDL_RWops *rw = SDL_RWFromConstMem(data, (int)len);
        raw = rw ? IMG_LoadTyped_RW(rw, 1, "PNG") : NULL;
    }
    /* The file's bytes and each surface go as soon as the next exists: a
     * 40-megapixel picture must not hold three copies on a 1 GB Pi. */
    free(data);
    data = NULL;
    if (raw == NULL || raw->w != w || raw->h != h) {
        util_snprintf_cut(why, why_size, "cannot decode: %s", raw ? "size differs from the header" : IMG_GetError());
        goto done;
    }
    argb = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    raw = NULL;
    if (argb == NULL) {
        util_snprintf_cut(why, why_size, "cannot convert: %s", SDL_GetError());
        goto done;
    }
    info->w = w;
    info->h = h;
    out = scale_down(argb, w, h, max_w, max_h, cover, why, why_size);
    argb = NULL;
    if (out) info->error = IMAGE_OK;
done:
    SDL_FreeSurface(argb);
    SDL_FreeSurface(raw);
    free(data);
    return out;
}

const char *image_error_ja(enum image_error e) {
    switch (e) {
    case IMAGE_OK: return "問題ありません";
    case IMAGE_E_OPEN: return "ファイルを開けません";
    case IMAGE_E_GONE: return "読んでいる途中でファイルが読めなくなりました (USBメモリが外された?)";
    case IMAGE_E_NOT_REGULAR: return "普通のファイルではありません (リンク・フォルダ・特殊ファイル)";
    case IMAGE_E_EMPTY: return "空のファイルです";
    case IMAGE_E_FILE_TOO_BIG: return "ファイルが大きすぎます (32MiB まで)";
    case IMAGE_E_NOT_IMAGE: return "PNG でも JPEG でもありません (中身で判定しています)";
    case IMAGE_E_CUT: return "ファイルが途中で切れています";
    case IMAGE_E_HEADER: return "画像の大きさが読めません";
    case IMAGE_E_TOO_MANY_PIXELS: return "画素数が多すぎます (8192x8192・4000万画素まで)";
    case IMAGE_E_DECODE: return "画像として読めません";
    case IMAGE_E_CORRUPT: return "画像のデータが壊れています (書き込み途中のファイル?)";
    case IMAGE_E_CHANGING: return "読んでいる間にファイルが書き換えられました (書き込みが終わってからもう一度)";
    }
    return "?";
}
