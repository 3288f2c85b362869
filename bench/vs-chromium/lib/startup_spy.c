/* startup_spy.so: LD_PRELOAD shim that says where the time from exec to the
 * first frame goes, measured on the real binary without changing it.
 *
 * It wraps the library calls the player makes before its first frame and
 * adds up, per bucket, the wall time spent inside them until the first
 * present (SDL_RenderPresent, SDL_UpdateWindowSurface or
 * SDL_UpdateWindowSurfaceRects returns). Buckets:
 *   load        exec -> this shim's constructor in the player (ld.so mapping
 *               and relocating ~100 shared libraries; the launcher's exec too)
 *   fontconfig  FcInit, FcConfigAppFontAddDir, FcFontMatch, FcFontSort,
 *               FcConfigSubstitute (finding the faces by name)
 *   fonts       TTF_Init, TTF_OpenFont, TTF_OpenFontRW (FreeType opening the faces)
 *   sdl         SDL_Init, SDL_CreateWindow, SDL_CreateRenderer,
 *               SDL_GetWindowSurface (video driver, window; GL context and
 *               Mesa where the GL renderer is used)
 *   raster      TTF_RenderUTF8_Blended, TTF_SizeUTF8 and
 *               SDL_CreateTextureFromSurface (the first rasterisation)
 *   cache       open() to close() of files whose name has "feed", plus
 *               cJSON parsing (reading and parsing the cached feed)
 *   curl        curl_global_init (OpenSSL's initialisation)
 *   present     the first present call itself
 *   threads     pthread_create calls before the first frame (count only)
 *   cpu_s       CPU time of the player's threads from its exec to the first
 *               present: on a loaded machine the wall time is mostly waiting
 *               for a core, this is the work itself
 *   minor_faults  page faults to then (each a trap to the kernel; in a VM
 *               that is ~15 us a 4 KiB page: fresh memory costs 4 ms a MiB)
 * "other" is what is left: the player's own code (layout, config, deck).
 *
 * $STARTUP_SPY_T0 is the epoch in ns taken by the bench just before exec;
 * the report goes to $STARTUP_SPY_OUT as one JSON object. Only in dedicated
 * runs of the bench, never in the measured ones. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { B_FONTCONFIG, B_FONTS, B_SDL, B_RASTER, B_CACHE, B_CURL, B_PRESENT, B_N };
static const char *const NAMES[B_N] = {"fontconfig", "fonts", "sdl", "raster", "cache", "curl", "present"};
static double total[B_N];
static int calls[B_N];
static int depth[B_N];
static double t_ctor, t0_exec;
static long faults_ctor;
static int done, threads;
static char exe_name[256];

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((constructor)) static void spy_init(void) {
    t_ctor = now_s();
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    faults_ctor = ru.ru_minflt; /* ld.so's: mapping and relocating the libraries */
    const char *t0 = getenv("STARTUP_SPY_T0");
    t0_exec = t0 ? strtod(t0, NULL) / 1e9 : t_ctor;
    ssize_t n = readlink("/proc/self/exe", exe_name, sizeof exe_name - 1);
    exe_name[n > 0 ? n : 0] = '\0';
}

/* The bucket's clock runs only at the outermost call (SDL_CreateRenderer
 * may call SDL_CreateTextureFromSurface...). */
static double enter(int b) { return depth[b]++ == 0 ? now_s() : 0; }
static int trace = -1;
static void leave_named(int b, double t, const char *name) {
    if (--depth[b] == 0 && !done) {
        double e = now_s();
        total[b] += e - t;
        calls[b]++;
        /* STARTUP_SPY_TRACE=1: every outermost call longer than 1 ms, on stderr */
        if (trace < 0) trace = getenv("STARTUP_SPY_TRACE") != NULL;
        if (trace && e - t > 0.001)
            fprintf(stderr, "startup_spy: %8.4f s +%.4f s %s\n", t - t0_exec, e - t, name);
    }
}
#define leave(b, t) leave_named(b, t, __func__)

#define REAL(name, type)                                                                           \
    static __typeof__(type) real;                                                                            \
    if (!real) real = (type)dlsym(RTLD_NEXT, name)

static void report(double t_end) {
    done = 1;
    const char *p = getenv("STARTUP_SPY_OUT");
    if (!p || !strstr(exe_name, "player")) return; /* the player, not the launcher */
    FILE *f = fopen(p, "w");
    if (!f) return;
    double wall = t_end - t0_exec, sum = t_ctor - t0_exec;
    fprintf(f, "{\"exe\": \"%s\", \"first_frame_s\": %.4f, \"load_s\": %.4f", exe_name, wall,
            t_ctor - t0_exec);
    for (int b = 0; b < B_N; b++) {
        fprintf(f, ", \"%s_s\": %.4f, \"%s_calls\": %d", NAMES[b], total[b], NAMES[b], calls[b]);
        sum += total[b];
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru); /* every thread of the player, since its exec */
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 (double)ru.ru_stime.tv_usec / 1e6;
    fprintf(f, ", \"other_s\": %.4f, \"threads_before_first_frame\": %d, \"cpu_s\": %.4f, \"minor_faults\": %ld, \"load_faults\": %ld}\n",
            wall - sum, threads, cpu, ru.ru_minflt, faults_ctor);
    fclose(f);
}

static void presented(double t_start) {
    if (done) return;
    total[B_PRESENT] += now_s() - t_start;
    calls[B_PRESENT]++;
    report(now_s());
}

/* --- presents ------------------------------------------------------------ */
void SDL_RenderPresent(void *r) {
    REAL("SDL_RenderPresent", void (*)(void *));
    double t = now_s();
    real(r);
    presented(t);
}
int SDL_UpdateWindowSurface(void *w) {
    REAL("SDL_UpdateWindowSurface", int (*)(void *));
    double t = now_s();
    int rc = real(w);
    presented(t);
    return rc;
}
int SDL_UpdateWindowSurfaceRects(void *w, const void *rects, int n) {
    REAL("SDL_UpdateWindowSurfaceRects", int (*)(void *, const void *, int));
    double t = now_s();
    int rc = real(w, rects, n);
    presented(t);
    return rc;
}

/* --- wrapped calls, one bucket each ---------------------------------------- */
#define WRAP1(bucket, ret, name, T1)                                                               \
    ret name(T1 a) {                                                                               \
        REAL(#name, ret (*)(T1));                                                                  \
        double t = enter(bucket);                                                                  \
        ret rc = real(a);                                                                          \
        leave(bucket, t);                                                                          \
        return rc;                                                                                 \
    }
#define WRAP2(bucket, ret, name, T1, T2)                                                           \
    ret name(T1 a, T2 b) {                                                                         \
        REAL(#name, ret (*)(T1, T2));                                                              \
        double t = enter(bucket);                                                                  \
        ret rc = real(a, b);                                                                       \
        leave(bucket, t);                                                                          \
        return rc;                                                                                 \
    }
#define WRAP3(bucket, ret, name, T1, T2, T3)                                                       \
    ret name(T1 a, T2 b, T3 c) {                                                                   \
        REAL(#name, ret (*)(T1, T2, T3));                                                          \
        double t = enter(bucket);                                                                  \
        ret rc = real(a, b, c);                                                                    \
        leave(bucket, t);                                                                          \
        return rc;                                                                                 \
    }
#define WRAP4(bucket, ret, name, T1, T2, T3, T4)                                                   \
    ret name(T1 a, T2 b, T3 c, T4 d) {                                                             \
        REAL(#name, ret (*)(T1, T2, T3, T4));                                                      \
        double t = enter(bucket);                                                                  \
        ret rc = real(a, b, c, d);                                                                 \
        leave(bucket, t);                                                                          \
        return rc;                                                                                 \
    }
#define WRAP6(bucket, ret, name, T1, T2, T3, T4, T5, T6)                                           \
    ret name(T1 a, T2 b, T3 c, T4 d, T5 e, T6 g) {                                                 \
        REAL(#name, ret (*)(T1, T2, T3, T4, T5, T6));                                              \
        double t = enter(bucket);                                                                  \
        ret rc = real(a, b, c, d, e, g);                                                           \
        leave(bucket, t);                                                                          \
        return rc;                                                                                 \
    }

typedef void *P;
WRAP1(B_FONTCONFIG, int, FcInit, int) /* FcBool FcInit(void): the argument is ignored */
WRAP2(B_FONTCONFIG, int, FcConfigAppFontAddDir, P, P)
WRAP3(B_FONTCONFIG, P, FcFontMatch, P, P, P)
WRAP4(B_FONTCONFIG, P, FcFontSort, P, P, int, P)
WRAP3(B_FONTCONFIG, int, FcConfigSubstitute, P, P, int)
WRAP1(B_FONTS, int, TTF_Init, int)
WRAP2(B_FONTS, P, TTF_OpenFont, P, int)
WRAP3(B_FONTS, P, TTF_OpenFontRW, P, int, int)
WRAP1(B_SDL, int, SDL_Init, unsigned)
WRAP1(B_SDL, int, SDL_InitSubSystem, unsigned)
WRAP6(B_SDL, P, SDL_CreateWindow, P, int, int, int, int, unsigned)
WRAP3(B_SDL, P, SDL_CreateRenderer, P, int, unsigned)
WRAP1(B_SDL, P, SDL_GetWindowSurface, P)
WRAP1(B_SDL, P, SDL_CreateSoftwareRenderer, P)
WRAP3(B_RASTER, P, TTF_RenderUTF8_Blended, P, P, unsigned)
WRAP4(B_RASTER, int, TTF_SizeUTF8, P, P, P, P)
WRAP2(B_RASTER, P, SDL_CreateTextureFromSurface, P, P)
WRAP1(B_CURL, int, curl_global_init, long)
WRAP3(B_CACHE, P, cJSON_ParseWithLengthOpts, P, size_t, P)
WRAP2(B_CACHE, P, cJSON_ParseWithLength, P, size_t)

int pthread_create(P th, const void *attr, P (*fn)(P), P arg) {
    REAL("pthread_create", int (*)(P, const void *, P (*)(P), P));
    if (!done) threads++;
    return real(th, attr, fn, arg);
}

/* The cache: from open() to close() of a file named *feed*. */
static int feed_fd = -1;
static double feed_t;
int open(const char *path, int flags, ...) {
    REAL("open", int (*)(const char *, int, ...));
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    int watch = !done && feed_fd < 0 && strstr(path, "feed") && !(flags & (O_WRONLY | O_RDWR));
    double t = watch ? now_s() : 0;
    int fd = real(path, flags, mode);
    if (watch && fd >= 0) {
        feed_fd = fd;
        feed_t = t;
    }
    return fd;
}
int close(int fd) {
    REAL("close", int (*)(int));
    int rc = real(fd);
    if (fd == feed_fd && feed_fd >= 0) {
        if (!done) {
            total[B_CACHE] += now_s() - feed_t;
            calls[B_CACHE]++;
        }
        feed_fd = -1;
    }
    return rc;
}
