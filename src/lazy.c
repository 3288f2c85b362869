/* lazy: the libraries the first frame does not need, opened the first time
 * one of their functions is called, not by ld.so at exec.
 *
 * Why: ld.so mapped and relocated ~100 shared libraries before main(), at
 * ~15 us a page fault in a VM: libcurl alone brings ~30 (OpenSSL, GnuTLS,
 * Kerberos, LDAP, SSH, nghttp2...), SDL_image another ten (TIFF, WebP,
 * JBIG...), libsystemd five compressors and libgcrypt. The first frame uses
 * none of them: the feed is fetched, pictures decoded, QR codes made and
 * screenshots written after it. Here each function the player calls from
 * those libraries is defined with the library's own prototype (its header
 * is included, so the compiler checks it) and forwards to the real one,
 * found with dlopen/dlsym once. The package depends on them as before
 * (CPACK_DEBIAN_PACKAGE_DEPENDS); `lazy_check` opens every one (the unit
 * test). A library that cannot be opened is fatal, as it was for ld.so.
 *
 * sd_notify and sd_watchdog_enabled answer 0 without loading libsystemd
 * when their variable is not set, as libsystemd documents it does: outside
 * systemd it is never loaded. */
#define _GNU_SOURCE
#include "lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL_image.h>
#include <curl/curl.h>
#include <jpeglib.h>
#include <openssl/evp.h>
#include <qrencode.h>
#include <systemd/sd-daemon.h>

/* The header's type-checking macros would rename the definitions below. */
#undef curl_easy_setopt
#undef curl_easy_getinfo

enum { L_CURL, L_IMAGE, L_JPEG, L_CRYPTO, L_QRENCODE, L_SYSTEMD, L_N };
static const char *const SONAME[L_N] = {"libcurl.so.4", "libSDL2_image-2.0.so.0", "libjpeg.so.62",
                                        "libcrypto.so.3", "libqrencode.so.4", "libsystemd.so.0"};
static void *handle[L_N];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* The library's handle (opened on first use), or NULL with why in err. */
static void *lib_open(int lib, char *err, size_t err_len) {
    pthread_mutex_lock(&mu);
    if (handle[lib] == NULL) {
        handle[lib] = dlopen(SONAME[lib], RTLD_NOW | RTLD_LOCAL);
        if (handle[lib] == NULL && err) snprintf(err, err_len, "%s", dlerror());
    }
    void *h = handle[lib];
    pthread_mutex_unlock(&mu);
    return h;
}

/* The address of `name` in the library; aborts when it cannot be had (the
 * package's Depends make sure it can). */
static void *lazy_sym(int lib, const char *name) {
    char err[512] = "";
    void *h = lib_open(lib, err, sizeof err);
    void *f = h ? dlsym(h, name) : NULL;
    if (f == NULL) {
        fprintf(stderr, "misato-signage: ライブラリ %s を読み込めません / cannot load %s from %s: %s\n",
                SONAME[lib], name, SONAME[lib], h ? dlerror() : err);
        abort();
    }
    return f;
}

/* p_: the real function, resolved once (an atomic pointer: any thread). */
#define REAL(lib, fn)                                                                                   \
    static void *p_##fn;                                                                                \
    void *r_##fn = __atomic_load_n(&p_##fn, __ATOMIC_ACQUIRE);                                          \
    if (r_##fn == NULL) {                                                                               \
        r_##fn = lazy_sym(lib, #fn);                                                                    \
        __atomic_store_n(&p_##fn, r_##fn, __ATOMIC_RELEASE);                                            \
    }                                                                                                   \
    __typeof__(&fn) real = (__typeof__(&fn))r_##fn

/* --- libcurl ---------------------------------------------------------------- */
CURLcode curl_global_init(long flags) {
    REAL(L_CURL, curl_global_init);
    return real(flags);
}
void curl_global_cleanup(void) {
    if (handle[L_CURL] == NULL) return; /* never initialised: nothing to clean */
    REAL(L_CURL, curl_global_cleanup);
    real();
}
CURL *curl_easy_init(void) {
    REAL(L_CURL, curl_easy_init);
    return real();
}
void curl_easy_cleanup(CURL *c) {
    REAL(L_CURL, curl_easy_cleanup);
    real(c);
}
CURLcode curl_easy_perform(CURL *c) {
    REAL(L_CURL, curl_easy_perform);
    return real(c);
}
/* The option's number says the type of its argument (curl.h, CURLOPTTYPE_*). */
CURLcode curl_easy_setopt(CURL *c, CURLoption opt, ...) {
    REAL(L_CURL, curl_easy_setopt);
    va_list ap;
    va_start(ap, opt);
    CURLcode rc;
    if (opt < CURLOPTTYPE_OBJECTPOINT)
        rc = real(c, opt, va_arg(ap, long));
    else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
        rc = real(c, opt, va_arg(ap, void *));
    else if (opt < CURLOPTTYPE_OFF_T)
        rc = real(c, opt, va_arg(ap, void (*)(void)));
    else if (opt < CURLOPTTYPE_BLOB)
        rc = real(c, opt, va_arg(ap, curl_off_t));
    else
        rc = real(c, opt, va_arg(ap, void *));
    va_end(ap);
    return rc;
}
/* Every CURLINFO takes a pointer. */
CURLcode curl_easy_getinfo(CURL *c, CURLINFO info, ...) {
    REAL(L_CURL, curl_easy_getinfo);
    va_list ap;
    va_start(ap, info);
    CURLcode rc = real(c, info, va_arg(ap, void *));
    va_end(ap);
    return rc;
}
CURLHcode curl_easy_header(CURL *c, const char *name, size_t index, unsigned int origin, int request,
                           struct curl_header **hout) {
    REAL(L_CURL, curl_easy_header);
    return real(c, name, index, origin, request, hout);
}
const char *curl_easy_strerror(CURLcode code) {
    REAL(L_CURL, curl_easy_strerror);
    return real(code);
}
time_t curl_getdate(const char *p, const time_t *unused) {
    REAL(L_CURL, curl_getdate);
    return real(p, unused);
}
struct curl_slist *curl_slist_append(struct curl_slist *list, const char *s) {
    REAL(L_CURL, curl_slist_append);
    return real(list, s);
}
void curl_slist_free_all(struct curl_slist *list) {
    if (list == NULL) return;
    REAL(L_CURL, curl_slist_free_all);
    real(list);
}

/* --- SDL_image --------------------------------------------------------------- */
SDL_Surface *IMG_LoadTyped_RW(SDL_RWops *src, int freesrc, const char *type) {
    REAL(L_IMAGE, IMG_LoadTyped_RW);
    return real(src, freesrc, type);
}
int IMG_SavePNG(SDL_Surface *s, const char *file) {
    REAL(L_IMAGE, IMG_SavePNG);
    return real(s, file);
}
int IMG_SavePNG_RW(SDL_Surface *s, SDL_RWops *dst, int freedst) {
    REAL(L_IMAGE, IMG_SavePNG_RW);
    return real(s, dst, freedst);
}
int IMG_SaveJPG_RW(SDL_Surface *s, SDL_RWops *dst, int freedst, int quality) {
    REAL(L_IMAGE, IMG_SaveJPG_RW);
    return real(s, dst, freedst, quality);
}

/* --- libjpeg ------------------------------------------------------------------ */
struct jpeg_error_mgr *jpeg_std_error(struct jpeg_error_mgr *err) {
    REAL(L_JPEG, jpeg_std_error);
    return real(err);
}
void jpeg_CreateDecompress(j_decompress_ptr cinfo, int version, size_t structsize) {
    REAL(L_JPEG, jpeg_CreateDecompress);
    real(cinfo, version, structsize);
}
boolean jpeg_resync_to_restart(j_decompress_ptr cinfo, int desired) {
    REAL(L_JPEG, jpeg_resync_to_restart);
    return real(cinfo, desired);
}
int jpeg_read_header(j_decompress_ptr cinfo, boolean require_image) {
    REAL(L_JPEG, jpeg_read_header);
    return real(cinfo, require_image);
}
boolean jpeg_start_decompress(j_decompress_ptr cinfo) {
    REAL(L_JPEG, jpeg_start_decompress);
    return real(cinfo);
}
JDIMENSION jpeg_read_scanlines(j_decompress_ptr cinfo, JSAMPARRAY lines, JDIMENSION max) {
    REAL(L_JPEG, jpeg_read_scanlines);
    return real(cinfo, lines, max);
}
boolean jpeg_finish_decompress(j_decompress_ptr cinfo) {
    REAL(L_JPEG, jpeg_finish_decompress);
    return real(cinfo);
}
void jpeg_destroy_decompress(j_decompress_ptr cinfo) {
    REAL(L_JPEG, jpeg_destroy_decompress);
    real(cinfo);
}

/* --- libcrypto ------------------------------------------------------------------ */
const EVP_MD *EVP_sha256(void) {
    REAL(L_CRYPTO, EVP_sha256);
    return real();
}
int EVP_Digest(const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type,
               ENGINE *impl) {
    REAL(L_CRYPTO, EVP_Digest);
    return real(data, count, md, size, type, impl);
}

/* --- libqrencode ------------------------------------------------------------------ */
QRcode *QRcode_encodeString(const char *s, int version, QRecLevel level, QRencodeMode hint, int casesensitive) {
    REAL(L_QRENCODE, QRcode_encodeString);
    return real(s, version, level, hint, casesensitive);
}
void QRcode_free(QRcode *q) {
    if (q == NULL) return;
    REAL(L_QRENCODE, QRcode_free);
    real(q);
}

/* --- libsystemd ------------------------------------------------------------------ */
int sd_notify(int unset_environment, const char *state) {
    if (getenv("NOTIFY_SOCKET") == NULL) return 0; /* sd_notify(3): "0 is returned" */
    REAL(L_SYSTEMD, sd_notify);
    return real(unset_environment, state);
}
int sd_notifyf(int unset_environment, const char *format, ...) {
    if (getenv("NOTIFY_SOCKET") == NULL) return 0;
    va_list ap;
    va_start(ap, format);
    char *state = NULL;
    int n = vasprintf(&state, format, ap);
    va_end(ap);
    if (n < 0) return -12; /* -ENOMEM, as libsystemd says it */
    int rc = sd_notify(unset_environment, state);
    free(state);
    return rc;
}
int sd_watchdog_enabled(int unset_environment, uint64_t *usec) {
    if (getenv("WATCHDOG_USEC") == NULL) return 0; /* sd_watchdog_enabled(3) */
    REAL(L_SYSTEMD, sd_watchdog_enabled);
    return real(unset_environment, usec);
}

/* --- the check ------------------------------------------------------------------- */
int lazy_check(char *why, size_t why_len) {
    static const char *const names[][2] = {
        {"0", "curl_global_init"},     {"0", "curl_global_cleanup"},  {"0", "curl_easy_init"},
        {"0", "curl_easy_cleanup"},    {"0", "curl_easy_perform"},    {"0", "curl_easy_setopt"},
        {"0", "curl_easy_getinfo"},    {"0", "curl_easy_header"},     {"0", "curl_easy_strerror"},
        {"0", "curl_getdate"},         {"0", "curl_slist_append"},    {"0", "curl_slist_free_all"},
        {"1", "IMG_LoadTyped_RW"},     {"1", "IMG_SavePNG"},          {"1", "IMG_SavePNG_RW"},
        {"1", "IMG_SaveJPG_RW"},       {"2", "jpeg_std_error"},       {"2", "jpeg_CreateDecompress"},
        {"2", "jpeg_resync_to_restart"}, {"2", "jpeg_read_header"},     {"2", "jpeg_start_decompress"},
        {"2", "jpeg_read_scanlines"},  {"2", "jpeg_finish_decompress"}, {"2", "jpeg_destroy_decompress"},
        {"3", "EVP_sha256"},           {"3", "EVP_Digest"},           {"4", "QRcode_encodeString"},
        {"4", "QRcode_free"},          {"5", "sd_notify"},            {"5", "sd_watchdog_enabled"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int lib = names[i][0][0] - '0';
        char err[512] = "";
        void *h = lib_open(lib, err, sizeof err);
        if (h == NULL) {
            snprintf(why, why_len, "%s: %s", SONAME[lib], err);
            return -1;
        }
        if (dlsym(h, names[i][1]) == NULL) {
            snprintf(why, why_len, "%s has no %s", SONAME[lib], names[i][1]);
            return -1;
        }
    }
    return 0;
}

bool lazy_loaded(const char *soname) {
    for (int i = 0; i < L_N; i++)
        if (strcmp(SONAME[i], soname) == 0) {
            pthread_mutex_lock(&mu);
            bool on = handle[i] != NULL;
            pthread_mutex_unlock(&mu);
            return on;
        }
    return false;
}
