/* blend: the crossfade's pixel work (see blend.h). */
#include "blend.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

static bool same_shape(const SDL_Surface *a, const SDL_Surface *b) {
    return a && b && a->w == b->w && a->h == b->h && a->format->BytesPerPixel == 4 &&
           b->format->BytesPerPixel == 4 && a->format->format == b->format->format;
}

/* x / 255 rounded, exact for x in [0, 255 * 255]. */
static inline Uint8 div255(unsigned x) {
    x += 128;
    return (Uint8)((x + (x >> 8)) >> 8);
}

static void row_c(Uint8 *d, const Uint8 *a, const Uint8 *b, size_t n, unsigned al) {
    unsigned ia = 255 - al;
    for (size_t i = 0; i < n; i++) d[i] = div255(a[i] * ia + b[i] * al);
}

#if defined(__SSE2__)
static void row_simd(Uint8 *d, const Uint8 *a, const Uint8 *b, size_t n, unsigned al) {
    const __m128i zero = _mm_setzero_si128(), va = _mm_set1_epi16((short)al),
                  vi = _mm_set1_epi16((short)(255 - al)), half = _mm_set1_epi16(128);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(a + i)), y = _mm_loadu_si128((const __m128i *)(b + i));
        __m128i xl = _mm_unpacklo_epi8(x, zero), xh = _mm_unpackhi_epi8(x, zero);
        __m128i yl = _mm_unpacklo_epi8(y, zero), yh = _mm_unpackhi_epi8(y, zero);
        __m128i l = _mm_add_epi16(_mm_add_epi16(_mm_mullo_epi16(xl, vi), _mm_mullo_epi16(yl, va)), half);
        __m128i h = _mm_add_epi16(_mm_add_epi16(_mm_mullo_epi16(xh, vi), _mm_mullo_epi16(yh, va)), half);
        l = _mm_srli_epi16(_mm_add_epi16(l, _mm_srli_epi16(l, 8)), 8);
        h = _mm_srli_epi16(_mm_add_epi16(h, _mm_srli_epi16(h, 8)), 8);
        _mm_storeu_si128((__m128i *)(d + i), _mm_packus_epi16(l, h));
    }
    row_c(d + i, a + i, b + i, n - i, al);
}
#elif defined(__ARM_NEON)
static void row_simd(Uint8 *d, const Uint8 *a, const Uint8 *b, size_t n, unsigned al) {
    const uint8x8_t va = vdup_n_u8((uint8_t)al), vi = vdup_n_u8((uint8_t)(255 - al));
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        uint8x16_t x = vld1q_u8(a + i), y = vld1q_u8(b + i);
        uint16x8_t l = vmlal_u8(vmull_u8(vget_low_u8(x), vi), vget_low_u8(y), va);
        uint16x8_t h = vmlal_u8(vmull_u8(vget_high_u8(x), vi), vget_high_u8(y), va);
        /* (t + (t >> 8)) >> 8 with t = x + 128: vrshrn rounds, vrsra adds. */
        l = vaddq_u16(l, vdupq_n_u16(128));
        h = vaddq_u16(h, vdupq_n_u16(128));
        uint8x8_t lo = vshrn_n_u16(vsraq_n_u16(l, l, 8), 8), hi = vshrn_n_u16(vsraq_n_u16(h, h, 8), 8);
        vst1q_u8(d + i, vcombine_u8(lo, hi));
    }
    row_c(d + i, a + i, b + i, n - i, al);
}
#else
#define row_simd row_c
#endif

/* Columns [x0, x1) of rows [y0, y1), clipped to the surfaces. */
static bool blend_with(void (*row)(Uint8 *, const Uint8 *, const Uint8 *, size_t, unsigned), SDL_Surface *dst,
                       const SDL_Surface *a, const SDL_Surface *b, SDL_Rect r, Uint8 alpha) {
    if (!same_shape(dst, a) || !same_shape(a, b)) return false;
    int x0 = r.x < 0 ? 0 : r.x, y0 = r.y < 0 ? 0 : r.y;
    int x1 = r.x + r.w > a->w ? a->w : r.x + r.w, y1 = r.y + r.h > a->h ? a->h : r.y + r.h;
    if (x1 <= x0) return true;
    size_t n = (size_t)(x1 - x0) * 4, off = (size_t)x0 * 4;
    for (int y = y0; y < y1; y++) {
        Uint8 *d = (Uint8 *)dst->pixels + (size_t)y * (size_t)dst->pitch + off;
        const Uint8 *pa = (const Uint8 *)a->pixels + (size_t)y * (size_t)a->pitch + off;
        const Uint8 *pb = (const Uint8 *)b->pixels + (size_t)y * (size_t)b->pitch + off;
        if (alpha == 0) memcpy(d, pa, n);
        else if (alpha == 255) memcpy(d, pb, n);
        else row(d, pa, pb, n, alpha);
    }
    return true;
}

const char *blend_simd(void) {
#if defined(__SSE2__)
    return "sse2";
#elif defined(__ARM_NEON)
    return "neon";
#else
    return "c";
#endif
}

bool blend_rows(SDL_Surface *dst, const SDL_Surface *a, const SDL_Surface *b, int y0, int y1, Uint8 alpha) {
    return blend_with(row_simd, dst, a, b, (SDL_Rect){0, y0, a ? a->w : 0, y1 - y0}, alpha);
}

bool blend_rect(SDL_Surface *dst, const SDL_Surface *a, const SDL_Surface *b, SDL_Rect r, Uint8 alpha) {
    return blend_with(row_simd, dst, a, b, r, alpha);
}

bool blend_rows_c(SDL_Surface *dst, const SDL_Surface *a, const SDL_Surface *b, int y0, int y1, Uint8 alpha) {
    return blend_with(row_c, dst, a, b, (SDL_Rect){0, y0, a ? a->w : 0, y1 - y0}, alpha);
}

bool blend_diff_rows(const SDL_Surface *a, const SDL_Surface *b, int *y0, int *y1) {
    *y0 = *y1 = 0;
    if (!same_shape(a, b)) return false;
    size_t n = (size_t)a->w * 4;
    int top = 0, bottom = a->h;
    const Uint8 *pa = a->pixels, *pb = b->pixels;
    while (top < bottom && !memcmp(pa + (size_t)top * (size_t)a->pitch, pb + (size_t)top * (size_t)b->pitch, n)) top++;
    while (bottom > top &&
           !memcmp(pa + (size_t)(bottom - 1) * (size_t)a->pitch, pb + (size_t)(bottom - 1) * (size_t)b->pitch, n))
        bottom--;
    if (top == bottom) return false;
    *y0 = top;
    *y1 = bottom;
    return true;
}

/* Tiles of tw x th pixels over rows [y0, y1): each row of tiles gives runs of
 * differing tiles, and a run joins the rectangle above it when it spans the
 * same columns. Returns how many rectangles, or -1 past max. */
static int diff_tiles(const SDL_Surface *a, const SDL_Surface *b, int y0, int y1, int tw, int th, SDL_Rect *out,
                      int max) {
    enum { MAX_COLS = 256 };
    int cols = (a->w + tw - 1) / tw, n = 0;
    if (cols > MAX_COLS) return -1;
    const Uint8 *pa = a->pixels, *pb = b->pixels;
    for (int ty = y0; ty < y1; ty += th) {
        int rows = ty + th > y1 ? y1 - ty : th;
        bool diff[MAX_COLS];
        for (int c = 0; c < cols; c++) {
            size_t off = (size_t)c * (size_t)tw * 4, len = (size_t)(c * tw + tw > a->w ? a->w - c * tw : tw) * 4;
            diff[c] = false;
            for (int y = ty; y < ty + rows && !diff[c]; y++)
                diff[c] = memcmp(pa + (size_t)y * (size_t)a->pitch + off, pb + (size_t)y * (size_t)b->pitch + off,
                                 len) != 0;
        }
        for (int c = 0; c < cols;) {
            if (!diff[c]) {
                c++;
                continue;
            }
            int c1 = c;
            while (c1 < cols && diff[c1]) c1++;
            SDL_Rect r = {c * tw, ty, (c1 * tw > a->w ? a->w : c1 * tw) - c * tw, rows};
            int k = 0;
            while (k < n && !(out[k].x == r.x && out[k].w == r.w && out[k].y + out[k].h == r.y)) k++;
            if (k < n) {
                out[k].h += r.h;
            } else {
                if (n == max) return -1;
                out[n++] = r;
            }
            c = c1;
        }
    }
    return n;
}

int blend_diff_rects(const SDL_Surface *a, const SDL_Surface *b, int y0, int y1, SDL_Rect *out, int max) {
    if (!same_shape(a, b) || max < 1) return 0;
    if (y0 < 0) y0 = 0;
    if (y1 > a->h) y1 = a->h;
    if (y1 <= y0) return 0;
    /* Finer tiles first; coarser ones when the shapes take too many. */
    static const int widths[] = {64, 128, 256};
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        int n = diff_tiles(a, b, y0, y1, widths[i], 16, out, max);
        if (n >= 0) return n;
    }
    out[0] = (SDL_Rect){0, y0, a->w, y1 - y0};
    return 1;
}
