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

static bool blend_with(void (*row)(Uint8 *, const Uint8 *, const Uint8 *, size_t, unsigned), SDL_Surface *dst,
                       const SDL_Surface *a, const SDL_Surface *b, int y0, int y1, Uint8 alpha) {
    if (!same_shape(dst, a) || !same_shape(a, b)) return false;
    if (y0 < 0) y0 = 0;
    if (y1 > a->h) y1 = a->h;
    size_t n = (size_t)a->w * 4;
    for (int y = y0; y < y1; y++) {
        Uint8 *d = (Uint8 *)dst->pixels + (size_t)y * (size_t)dst->pitch;
        const Uint8 *pa = (const Uint8 *)a->pixels + (size_t)y * (size_t)a->pitch;
        const Uint8 *pb = (const Uint8 *)b->pixels + (size_t)y * (size_t)b->pitch;
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
    return blend_with(row_simd, dst, a, b, y0, y1, alpha);
}

bool blend_rows_c(SDL_Surface *dst, const SDL_Surface *a, const SDL_Surface *b, int y0, int y1, Uint8 alpha) {
    return blend_with(row_c, dst, a, b, y0, y1, alpha);
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
