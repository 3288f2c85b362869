/* font: fontconfig lookup with a check that the face covers Japanese. */
#include "font.h"

#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <fontconfig/fontconfig.h>

#include "log.h"
#include "util.h"

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

void font_shutdown(void) {
    if (fc_ready) FcFini();
    fc_ready = false;
}
