/* font: fontconfig lookup with a check that the face covers Japanese. */
#include "font.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <fontconfig/fontconfig.h>

#include "feed.h"
#include "log.h"
#include "utf8.h"
#include "util.h"
#include "xalloc.h"

static bool fc_ready;

static void font_init(void) {
    if (fc_ready) return;
    FcInit();
    /* Site fonts: beside the sources (a checkout) and the installed data. */
    const char *dirs[] = {MISATO_SOURCE_DIR "/fonts", MISATO_DATADIR "/fonts"};
    for (size_t i = 0; i < ARRAY_LEN(dirs); i++) {
        struct stat sb;
        if (stat(dirs[i], &sb) == 0 && S_ISDIR(sb.st_mode))
            FcConfigAppFontAddDir(NULL, (const FcChar8 *)dirs[i]);
    }
    fc_ready = true;
}

/* True when the pattern's family list names `family` and it has kana. */
static bool matches(FcPattern *font, const char *family) {
    FcCharSet *cs = NULL;
    if (FcPatternGetCharSet(font, FC_CHARSET, 0, &cs) != FcResultMatch ||
        !FcCharSetHasChar(cs, 0x3042) || !FcCharSetHasChar(cs, 0x6F22))
        return false; /* あ, 漢 */
    if (family == NULL) return true;
    FcChar8 *name;
    for (int i = 0; FcPatternGetString(font, FC_FAMILY, i, &name) == FcResultMatch; i++)
        if (strcasecmp((const char *)name, family) == 0) return true;
    return false;
}

static char *lookup(const char *family, bool bold, bool exact) {
    FcPattern *pat = FcPatternCreate();
    if (family) FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    FcPatternAddString(pat, FC_LANG, (const FcChar8 *)"ja");
    FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcPatternAddInteger(pat, FC_SLANT, FC_SLANT_ROMAN);
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *font = FcFontMatch(NULL, pat, &res);
    char *path = NULL;
    FcChar8 *file;
    if (font && matches(font, exact ? family : NULL) &&
        FcPatternGetString(font, FC_FILE, 0, &file) == FcResultMatch)
        path = xstrdup((const char *)file);
    if (font) FcPatternDestroy(font);
    FcPatternDestroy(pat);
    return path;
}

char *font_find(const char *setting, bool bold) {
    if (strchr(setting, '/')) {
        struct stat sb;
        if (stat(setting, &sb) == 0 && S_ISREG(sb.st_mode)) return xstrdup(setting);
        LOG(LOG_WARN, "font %s: no such file; looking for %s instead", setting,
            FONT_FALLBACK_FAMILY);
        setting = FONT_FALLBACK_FAMILY;
    }
    font_init();
    char *path = lookup(setting, bold, true);
    if (path == NULL && strcasecmp(setting, FONT_FALLBACK_FAMILY) != 0) {
        LOG(LOG_WARN, "font \"%s\" not found (fc-list lists the installed ones); using %s",
            setting, FONT_FALLBACK_FAMILY);
        path = lookup(FONT_FALLBACK_FAMILY, bold, true);
    }
    if (path == NULL) path = lookup(NULL, bold, false); /* any face with Japanese */
    if (path == NULL)
        LOG(LOG_ERROR, "no font that can draw Japanese was found: install "
                       "fonts-morisawa-bizud-gothic");
    return path;
}

/* Fallback faces, one per code point asked for: fontconfig's best match
 * for a pattern whose charset holds cp (charset weighs more than family
 * in its matching), kept only when that face really has cp. */
char *font_find_covering(uint32_t cp, bool bold) {
    font_init();
    FcPattern *pat = FcPatternCreate();
    FcCharSet *cs = FcCharSetCreate();
    FcCharSetAddChar(cs, cp);
    FcPatternAddCharSet(pat, FC_CHARSET, cs);
    FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
    FcConfigSubstitute(NULL, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    FcPattern *font = FcFontMatch(NULL, pat, &res);
    char *path = NULL;
    FcCharSet *have = NULL;
    FcChar8 *file;
    if (font && FcPatternGetCharSet(font, FC_CHARSET, 0, &have) == FcResultMatch && FcCharSetHasChar(have, cp) &&
        FcPatternGetString(font, FC_FILE, 0, &file) == FcResultMatch)
        path = xstrdup((const char *)file);
    if (font) FcPatternDestroy(font);
    FcPatternDestroy(pat);
    FcCharSetDestroy(cs);
    return path;
}

bool font_can_draw(uint32_t cp) {
    char *p = font_find_covering(cp, false);
    free(p);
    return p != NULL;
}

/* Whether cp can be drawn, remembered: a feed repeats its characters. */
struct cover_memo {
    uint32_t cp[4096]; /* 0: empty */
    bool ok[4096];
};

static bool can_draw_memo(struct cover_memo *m, uint32_t cp) {
    size_t h = (cp * 2654435761u) % 4096;
    for (size_t i = 0; i < 4096; i++, h = (h + 1) % 4096) {
        if (m->cp[h] == cp) return m->ok[h];
        if (m->cp[h] == 0) {
            m->cp[h] = cp;
            return m->ok[h] = font_can_draw(cp);
        }
    }
    return font_can_draw(cp);
}

/* Prints one warning for a field with a character no installed font has. */
static size_t check_field(struct cover_memo *m, FILE *out, const char *path, const char *s) {
    if (s == NULL || !utf8_valid(s, strlen(s))) return 0;
    for (const char *p = s; *p;) {
        uint32_t c = utf8_next(&p);
        /* Controls, joiners and selectors draw nothing by themselves. */
        if (c < 0x20 || c == 0x200D || (c >= 0xFE00 && c <= 0xFE0F) || (c >= 0xE0020 && c <= 0xE007F) || c < 0x7F)
            continue;
        if (!can_draw_memo(m, c)) {
            fprintf(out, "%s: 警告: 表示できない文字 U+%04X があります。画面では □ になります"
                         " (warning: no installed font can draw U+%04X)\n", path, (unsigned)c, (unsigned)c);
            return 1;
        }
    }
    return 0;
}

size_t font_report_undrawable(const struct feed *f, FILE *out) {
    if (f == NULL) return 0;
    struct cover_memo *m = xcalloc(1, sizeof *m);
    size_t n = 0;
    char path[96];
    for (size_t i = 0; i < f->n_measures; i++) {
        const struct feed_measure *ms = &f->measures[i];
        snprintf(path, sizeof path, "measures[%zu].name", i);
        n += check_field(m, out, path, ms->name);
        snprintf(path, sizeof path, "measures[%zu].metric.name", i);
        n += check_field(m, out, path, ms->metric_name);
        for (size_t k = 0; k < ms->n_description; k++) {
            snprintf(path, sizeof path, "measures[%zu].description[%zu]", i, k);
            n += check_field(m, out, path, ms->description[k]);
        }
        for (size_t k = 0; k < ms->n_effects; k++) {
            snprintf(path, sizeof path, "measures[%zu].effects[%zu]", i, k);
            n += check_field(m, out, path, ms->effects[k]);
        }
    }
    for (size_t i = 0; i < f->n_announcements; i++) {
        snprintf(path, sizeof path, "announcements[%zu].title", i);
        n += check_field(m, out, path, f->announcements[i].title);
        snprintf(path, sizeof path, "announcements[%zu].body", i);
        n += check_field(m, out, path, f->announcements[i].body);
    }
    for (size_t i = 0; i < f->n_ticker; i++) {
        snprintf(path, sizeof path, "ticker[%zu]", i);
        n += check_field(m, out, path, f->ticker[i].text);
    }
    if (f->alert.present) {
        n += check_field(m, out, "alert.title", f->alert.title);
        n += check_field(m, out, "alert.text", f->alert.text);
    }
    for (size_t i = 0; i < f->n_media; i++) {
        snprintf(path, sizeof path, "media[%zu].caption", i);
        n += check_field(m, out, path, f->media[i].caption);
    }
    free(m);
    return n;
}

void font_shutdown(void) {
    if (fc_ready) FcFini();
    fc_ready = false;
}
