/* playlist: IT's playlist.json / playlist.txt on a USB stick, parsed into
 * entries (untrusted input: every value checked, every count bounded). */
#include "playlist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "file.h"
#include "utf8.h"
#include "util.h"
#include "xalloc.h"

/* --- the playlist on the stick ---------------------------------------------- */

void playlist_clear(struct playlist *pl) {
    for (size_t i = 0; i < pl->n; i++) free(pl->items[i].name);
    free(pl->items);
    memset(pl, 0, sizeof *pl);
}

static struct playlist_entry *playlist_push(struct playlist *pl, const char *name) {
    pl->items = xrealloc(pl->items, sizeof *pl->items * (pl->n + 1));
    struct playlist_entry *e = &pl->items[pl->n++];
    memset(e, 0, sizeof *e);
    e->name = xstrdup(name);
    return e;
}

/* A playlist names files of the same folder only: no paths. */
const char *playlist_name_problem(const char *s) {
    if (s[0] == '\0') return "ファイル名が空です";
    if (!utf8_valid(s, strlen(s))) return "ファイル名が UTF-8 ではありません";
    if (strlen(s) > 255) return "ファイル名が長すぎます";
    if (strchr(s, '/') || strchr(s, '\\') || !strcmp(s, ".") || !strcmp(s, ".."))
        return "フォルダやパスは指定できません (signage フォルダの中のファイル名だけを書きます)";
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20) return "ファイル名に制御文字があります";
    return NULL;
}

/* "2026-12-01" or "2026-12-01T09:00"; a date-only until runs to the end of
 * that day, as in the feed. */
static bool parse_when(const char *s, bool end_of_day, time_t *out) {
    if (!util_parse_iso8601(s, out)) return false;
    if (end_of_day && strlen(s) == 10) *out += 86400;
    return true;
}

static void entry_fail(struct playlist_entry *e, const char *ja, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void entry_fail(struct playlist_entry *e, const char *ja, const char *fmt, ...) {
    if (e->ja) return; /* the first problem says enough */
    e->ja = ja;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->en, sizeof e->en, fmt, ap);
    va_end(ap);
}

/* Checks and stores the optional values of one entry (strings may be NULL). */
static void entry_values(struct playlist_entry *e, const char *where, const char *caption, const char *seconds,
                         const char *from, const char *until) {
    if (caption && *caption) {
        if (!utf8_valid(caption, strlen(caption)) || strlen(caption) > MEDIA_MAX_CAPTION)
            entry_fail(e, "説明文 (caption) は UTF-8 で 200 バイトまでです", "%s: caption too long or not UTF-8", where);
        else snprintf(e->caption, sizeof e->caption, "%s", caption);
    }
    long sec;
    if (seconds && *seconds) {
        if (util_parse_long(seconds, 3, MEDIA_MAX_SECONDS, &sec)) e->seconds = (int)sec;
        else entry_fail(e, "秒数 (seconds) は 3〜600 の整数で書きます", "%s: seconds must be 3 to 600", where);
    }
    if (from && *from) {
        if (parse_when(from, false, &e->valid.from)) e->valid.has_from = true;
        else entry_fail(e, "日付は 2026-12-01 または 2026-12-01T09:00 の形で書きます", "%s: valid_from is not a date",
                        where);
    }
    if (until && *until) {
        if (parse_when(until, true, &e->valid.until)) e->valid.has_until = true;
        else entry_fail(e, "日付は 2026-12-01 または 2026-12-01T09:00 の形で書きます", "%s: valid_until is not a date",
                        where);
    }
    if (e->valid.has_from && e->valid.has_until && e->valid.until <= e->valid.from)
        entry_fail(e, "終わりの日付が始まりより前です", "%s: valid_until is not after valid_from", where);
}

static void set_mode(struct playlist *pl, const char *v, const char *where) {
    if (!strcmp(v, "replace") || !strcmp(v, "置き換え")) pl->add = false;
    else if (!strcmp(v, "add") || !strcmp(v, "追加")) pl->add = true;
    else {
        snprintf(pl->error_ja, sizeof pl->error_ja, "%s: mode は replace か add です", where);
        snprintf(pl->error_en, sizeof pl->error_en, "%s: mode must be replace or add", where);
        return;
    }
    pl->mode_given = true;
}

void playlist_parse_json(struct playlist *pl, const char *text, size_t len) {
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(root)) {
        snprintf(pl->error_ja, sizeof pl->error_ja, "playlist.json が JSON のオブジェクトとして読めません");
        snprintf(pl->error_en, sizeof pl->error_en, "playlist.json is not a JSON object");
        cJSON_Delete(root);
        return;
    }
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(root, "mode");
    if (cJSON_IsString(mode)) set_mode(pl, mode->valuestring, "mode");
    else if (mode) set_mode(pl, "", "mode");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items");
    if (!cJSON_IsArray(items)) {
        snprintf(pl->error_ja, sizeof pl->error_ja, "playlist.json に items (ファイルの並び) がありません");
        snprintf(pl->error_en, sizeof pl->error_en, "playlist.json has no items array");
        cJSON_Delete(root);
        return;
    }
    const cJSON *it;
    size_t i = 0;
    cJSON_ArrayForEach(it, items) {
        if (pl->n >= MEDIA_MAX_ENTRIES) break;
        char where[48];
        snprintf(where, sizeof where, "items[%zu]", i++);
        const cJSON *file = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "file") : it;
        struct playlist_entry *e = playlist_push(pl, cJSON_IsString(file) ? file->valuestring : "");
        if (!cJSON_IsString(file)) {
            entry_fail(e, "file (ファイル名) がありません", "%s.file missing", where);
            continue;
        }
        if (!cJSON_IsObject(it)) continue;
        char secs[32] = "";
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "seconds");
        if (cJSON_IsNumber(s)) snprintf(secs, sizeof secs, "%.0f", s->valuedouble);
        else if (s) snprintf(secs, sizeof secs, "x");
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "caption");
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(it, "valid_from");
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(it, "valid_until");
        if ((c && !cJSON_IsString(c)) || (f && !cJSON_IsString(f)) || (u && !cJSON_IsString(u)))
            entry_fail(e, "caption・valid_from・valid_until は文字列で書きます", "%s: caption and dates must be strings",
                       where);
        entry_values(e, where, cJSON_GetStringValue(c), secs[0] ? secs : NULL, cJSON_GetStringValue(f),
                     cJSON_GetStringValue(u));
    }
    cJSON_Delete(root);
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r')) *--end = '\0';
    return s;
}

/* One picture a line: "file | seconds | caption | valid_from | valid_until"
 * (all but the file optional); "mode = add"; # starts a comment. */
void playlist_parse_txt(struct playlist *pl, char *text) {
    if (!strncmp(text, "\xEF\xBB\xBF", 3)) text += 3; /* a BOM from Notepad */
    size_t line = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        line++;
        char *s = trim(l);
        if (*s == '\0' || *s == '#') continue;
        char where[48];
        snprintf(where, sizeof where, "line %zu", line);
        if (!strncmp(s, "mode", 4) && strchr(s, '=') && !strchr(s, '|')) {
            set_mode(pl, trim(strchr(s, '=') + 1), where);
            continue;
        }
        if (pl->n >= MEDIA_MAX_ENTRIES) break;
        char *field[5] = {0};
        int nf = 0;
        for (char *p = s; nf < 5; nf++) {
            field[nf] = p;
            char *bar = strchr(p, '|');
            if (bar == NULL) {
                nf++;
                break;
            }
            *bar = '\0';
            p = bar + 1;
        }
        for (int k = 0; k < nf; k++) field[k] = trim(field[k]);
        struct playlist_entry *e = playlist_push(pl, field[0]);
        entry_values(e, where, field[2], field[1], field[3], field[4]);
    }
}

void playlist_read(int srcfd, struct playlist *pl, char *which, size_t which_size) {
    static const char *const names[] = {"playlist.json", "playlist.txt"};
    for (int k = 0; k < 2; k++) {
        size_t len = 0;
        char *text = NULL;
        enum file_status st = file_read(srcfd, names[k], PLAYLIST_MAX, FILE_UNTRUSTED, &text, &len, NULL);
        if (st != FILE_OK && errno == ENOENT) continue; /* neither kind of playlist: none */
        pl->present = true;
        snprintf(which, which_size, "%s", names[k]);
        if (text == NULL) {
            snprintf(pl->error_ja, sizeof pl->error_ja, "%s を読めません (256KiB までの普通のファイル)", names[k]);
            snprintf(pl->error_en, sizeof pl->error_en, "%s: cannot read (%s)", names[k], strerror(errno));
        } else if (!utf8_valid(text, len) || strlen(text) != len) {
            snprintf(pl->error_ja, sizeof pl->error_ja, "%s が UTF-8 の文字ではありません", names[k]);
            snprintf(pl->error_en, sizeof pl->error_en, "%s is not UTF-8 text", names[k]);
        } else if (k == 0) {
            playlist_parse_json(pl, text, len);
        } else {
            playlist_parse_txt(pl, text);
        }
        free(text);
        return;
    }
}

