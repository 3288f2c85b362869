/* media_report: what an import did, told to IT: the report file on the
 * stick (Japanese first, English beside it) and the message on screen. */
#include "media_report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "util.h"
#include "xalloc.h"

void media_report_clear(struct media_report *rep) {
    free(rep->items);
    rep->items = NULL;
    rep->n = 0;
}

/* --- telling IT -------------------------------------------------------------- */

struct text {
    char *s;
    size_t len, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) return;
        if (t->s && t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->s = xrealloc(t->s, t->cap);
    }
}

char *media_report_text(const struct media_report *rep) {
    struct text t = {0};
    struct tm tm;
    localtime_r(&rep->at, &tm);
    char when[32], host[64] = "";
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    gethostname(host, sizeof host - 1);
    add(&t, "美郷町デジタルサイネージ USB取り込み報告 / Misato Signage import report\r\n");
    add(&t, "日時 / at: %s\r\n端末 / player: %s\r\n", when, host);
    add(&t, "方法 / mode: %s\r\n", rep->add ? "追加 (add)" : "置き換え (replace)");
    if (rep->playlist[0]) add(&t, "プレイリスト / playlist: %s\r\n", rep->playlist);
    add(&t, "\r\n");
    if (rep->aborted) {
        add(&t, "結果: 取り込みを中止しました。表示中の画像は前のままです。\r\n");
        add(&t, "理由: %s\r\n", rep->abort_ja);
        add(&t, "Result: the import was stopped; the pictures on screen are unchanged.\r\nReason: %s\r\n",
            rep->abort_en);
    } else if (rep->committed) {
        add(&t, "結果: %zu件を取り込みました。%zu件は取り込めませんでした。表示する画像は全部で%zu件です。\r\n",
            rep->imported, rep->refused, rep->total);
        add(&t, "Result: %zu imported, %zu refused; %zu %s in the set now.\r\n", rep->imported,
            rep->refused, rep->total, rep->total == 1 ? "picture" : "pictures");
    } else {
        add(&t, "結果: 取り込める画像がありませんでした。表示中の画像は前のままです。\r\n");
        add(&t, "Result: no picture could be imported; the pictures on screen are unchanged.\r\n");
    }
    if (rep->not_looked_at)
        add(&t, "フォルダのファイルが多すぎるため、名前順で最初の %d 件だけを見ました。残りの %zu 件は見ていません。\r\n"
                "The folder holds too many files: the first %d by name were looked at, %zu were not.\r\n",
            MEDIA_MAX_ENTRIES, rep->not_looked_at, MEDIA_MAX_ENTRIES, rep->not_looked_at);
    bool any = false;
    for (size_t i = 0; i < rep->n; i++) {
        const struct media_outcome *o = &rep->items[i];
        if (!o->imported) continue;
        if (!any) add(&t, "\r\n取り込んだ画像 / imported:\r\n");
        any = true;
        add(&t, "  ○ %s -> %s (%dx%d)\r\n", o->name, o->file, o->w, o->h);
    }
    any = false;
    for (size_t i = 0; i < rep->n; i++) {
        const struct media_outcome *o = &rep->items[i];
        if (o->imported) continue;
        if (!any) add(&t, "\r\n取り込めなかったファイル / refused:\r\n");
        any = true;
        add(&t, "  × %s: %s (%s)\r\n", o->name, o->ja, o->en);
    }
    if (rep->omitted) add(&t, "  … ほか%zu件 / %zu more\r\n", rep->omitted, rep->omitted);
    if (rep->committed || !rep->aborted) add(&t, "\r\nUSBメモリを取り外せます。 / You can remove the USB stick.\r\n");
    return t.s;
}

void media_report_toast(const struct media_report *rep, char *buf, size_t size) {
    if (rep->aborted)
        util_snprintf_cut(buf, size, "USBからの取り込みを中止しました (%s)。\n表示中の画像は前のままです", rep->abort_ja);
    else if (rep->committed && rep->refused)
        util_snprintf_cut(buf, size, "USBから画像を%zu件取り込みました。%zu件は取り込めませんでした。\nUSBメモリを取り外せます",
                     rep->imported, rep->refused);
    else if (rep->committed)
        util_snprintf_cut(buf, size, "USBから画像を%zu件取り込みました。\nUSBメモリを取り外せます", rep->imported);
    else if (rep->refused)
        util_snprintf_cut(buf, size, "USBに取り込める画像がありませんでした (%zu件は取り込めません)。\nUSBメモリを取り外せます",
                     rep->refused);
    else
        util_snprintf_cut(buf, size, "USBの signage フォルダに画像がありませんでした。\nUSBメモリを取り外せます");
}

int media_write_report(const char *src, const struct media_report *rep) {
    /* Not cache_replace_file: a FAT stick refuses fchmod(), and the folder
     * is opened once, without following a link, then used by descriptor. */
    int dfd = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return errno;
    static const char tmp[] = ".import-report.tmp";
    char *text = media_report_text(rep);
    unlinkat(dfd, tmp, 0);
    int rc = file_create_at(dfd, tmp, text, strlen(text));
    free(text);
    if (rc == 0 && renameat(dfd, tmp, dfd, MEDIA_REPORT_NAME) != 0) {
        rc = errno;
        unlinkat(dfd, tmp, 0);
    }
    if (rc == 0) fsync(dfd);
    close(dfd);
    return rc;
}

