/* png-check: checks rendered slides as a resident would get them.
 *   png-check count DIR N W H    DIR holds exactly N files NN-<id>.png,
 *                                numbered 01..N, each W x H and not blank
 *   png-check diff GOT WANT [DIFF.png]
 *                                compares two PNGs pixel by pixel; a pixel
 *                                differs when a channel is off by more than
 *                                32; fails past 0.3% differing pixels (font
 *                                rasterisers differ a little between builds)
 *   png-check shot FILE MINCOLOURS [X Y RRGGBB]...
 *                                FILE (any format SDL_image reads) is not
 *                                blank (at least MINCOLOURS colours) and has
 *                                the given colours at the given pixels
 *   png-check make W H SEED OUT...
 *                                writes a W x H test picture to each OUT
 *                                (JPEG when it ends in .jpg, else PNG), a
 *                                different one per file (SEED, SEED+1, ...)
 * Prints what it measured; exits 0 on success, 1 on failure. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

static SDL_Surface *load(const char *path) {
    SDL_Surface *raw = IMG_Load(path);
    if (raw == NULL) {
        fprintf(stderr, "%s: %s\n", path, IMG_GetError());
        return NULL;
    }
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    return s;
}

static Uint32 px(const SDL_Surface *s, int x, int y) {
    return ((const Uint32 *)((const Uint8 *)s->pixels + y * s->pitch))[x];
}

static int distinct_colours(const SDL_Surface *s) {
    static Uint32 seen[4096];
    int n = 0;
    for (int y = 0; y < s->h; y += 3)
        for (int x = 0; x < s->w; x += 3) {
            Uint32 p = px(s, x, y) & 0xFFFFFF;
            int k;
            for (k = 0; k < n && seen[k] != p; k++) {}
            if (k == n && n < 4096) seen[n++] = p;
        }
    return n;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int count(const char *dir, int want, int w, int h) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        perror(dir);
        return 1;
    }
    char *names[512];
    int n = 0, bad = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512) {
        if (e->d_name[0] == '.') continue;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], cmp_names);
    if (n != want) {
        fprintf(stderr, "%s: %d files, expected %d\n", dir, n, want);
        bad = 1;
    }
    for (int i = 0; i < n; i++) {
        char prefix[8];
        snprintf(prefix, sizeof prefix, "%02d-", i + 1);
        size_t len = strlen(names[i]);
        if (strncmp(names[i], prefix, 3) != 0 || len < 8 ||
            strcmp(names[i] + len - 4, ".png") != 0) {
            fprintf(stderr, "%s: not named %sNN-<id>.png\n", names[i], prefix);
            bad = 1;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        SDL_Surface *s = load(path);
        if (s == NULL) {
            bad = 1;
        } else {
            int c = distinct_colours(s);
            printf("%s: %dx%d, %d colours\n", names[i], s->w, s->h, c);
            if (s->w != w || s->h != h) {
                fprintf(stderr, "%s: %dx%d, expected %dx%d\n", names[i], s->w, s->h, w, h);
                bad = 1;
            }
            if (c < 16) {
                fprintf(stderr, "%s: looks blank (%d colours)\n", names[i], c);
                bad = 1;
            }
            SDL_FreeSurface(s);
        }
        free(names[i]);
    }
    return bad;
}

static int diff(const char *got_path, const char *want_path, const char *diff_path) {
    SDL_Surface *got = load(got_path), *want = load(want_path);
    int rc = 1;
    if (got == NULL || want == NULL) goto done;
    if (got->w != want->w || got->h != want->h) {
        fprintf(stderr, "size %dx%d, expected %dx%d\n", got->w, got->h, want->w, want->h);
        goto done;
    }
    long differing = 0, total = (long)got->w * got->h;
    int worst = 0;
    SDL_Surface *vis = SDL_CreateRGBSurfaceWithFormat(0, got->w, got->h, 32,
                                                      SDL_PIXELFORMAT_ARGB8888);
    for (int y = 0; y < got->h; y++)
        for (int x = 0; x < got->w; x++) {
            Uint32 a = px(got, x, y), b = px(want, x, y);
            int d = 0;
            for (int sh = 0; sh < 24; sh += 8) {
                int da = abs((int)((a >> sh) & 255) - (int)((b >> sh) & 255));
                if (da > d) d = da;
            }
            if (d > worst) worst = d;
            bool off = d > 32;
            differing += off;
            ((Uint32 *)((Uint8 *)vis->pixels + y * vis->pitch))[x] =
                off ? 0xFFFF0000u : (0xFF000000u | ((b & 0xFEFEFE) >> 1) | 0x808080u);
        }
    double pct = 100.0 * (double)differing / (double)total;
    printf("%s vs %s: %ld of %ld pixels differ (%.3f%%), worst channel difference %d\n",
           got_path, want_path, differing, total, pct, worst);
    rc = pct > 0.3 ? 1 : 0;
    if (rc && diff_path) {
        IMG_SavePNG(vis, diff_path);
        printf("differences marked in red: %s\n", diff_path);
    }
    SDL_FreeSurface(vis);
done:
    SDL_FreeSurface(got);
    SDL_FreeSurface(want);
    return rc;
}

/* A picture with gradients and fine detail (so that a JPEG of it is not
 * tiny), different for every seed. */
static int make(int w, int h, int seed, const char *out) {
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (s == NULL) return 1;
    for (int y = 0; y < h; y++) {
        Uint32 *row = (Uint32 *)((Uint8 *)s->pixels + (size_t)y * (size_t)s->pitch);
        for (int x = 0; x < w; x++) {
            unsigned r = (unsigned)(x * 255 / w + seed * 37) & 255u;
            unsigned g = (unsigned)(y * 255 / h + seed * 91) & 255u;
            unsigned b = (unsigned)(((x ^ y) * 7 + seed * 13) & 255);
            row[x] = 0xFF000000u | r << 16 | g << 8 | b;
        }
    }
    size_t n = strlen(out);
    int rc = n > 4 && strcmp(out + n - 4, ".jpg") == 0 ? IMG_SaveJPG(s, out, 85) : IMG_SavePNG(s, out);
    SDL_FreeSurface(s);
    if (rc != 0) fprintf(stderr, "%s: %s\n", out, IMG_GetError());
    return rc != 0;
}

int main(int argc, char **argv) {
    int rc = 2;
    if (argc >= 6 && strcmp(argv[1], "make") == 0) {
        rc = 0;
        for (int i = 5; i < argc; i++) rc |= make(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]) + i - 5, argv[i]);
        IMG_Quit();
        SDL_Quit();
        return rc;
    }
    if (argc == 6 && strcmp(argv[1], "count") == 0) {
        rc = count(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    } else if ((argc == 4 || argc == 5) && strcmp(argv[1], "diff") == 0) {
        rc = diff(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    } else if (argc >= 4 && (argc - 4) % 3 == 0 && strcmp(argv[1], "shot") == 0) {
        SDL_Surface *s = load(argv[2]);
        rc = 1;
        if (s) {
            int c = distinct_colours(s);
            printf("%s: %dx%d, %d colours\n", argv[2], s->w, s->h, c);
            rc = c >= atoi(argv[3]) ? 0 : 1;
            /* Optional X Y RRGGBB triples: the pixel there must be that colour. */
            for (int i = 4; i + 2 < argc; i += 3) {
                int x = atoi(argv[i]), y = atoi(argv[i + 1]);
                unsigned long want = strtoul(argv[i + 2], NULL, 16);
                if (x < 0 || y < 0 || x >= s->w || y >= s->h) {
                    rc = 1;
                    continue;
                }
                unsigned long got = px(s, x, y) & 0xFFFFFF;
                printf("pixel %d,%d: %06lx (expected %06lx)\n", x, y, got, want);
                if (got != want) rc = 1;
            }
            SDL_FreeSurface(s);
        }
    } else {
        fprintf(stderr, "usage: png-check count DIR N W H | diff GOT WANT [DIFF] | shot FILE N [X Y RRGGBB]...\n");
    }
    IMG_Quit();
    SDL_Quit();
    return rc;
}
