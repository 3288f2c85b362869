/* status: the status file, written by the feed worker and read by
 * --status. */
#include "status.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cache.h"
#include "clock.h"
#include "file.h"
#include "log.h"
#include "util.h"

/* ISO 8601 with the offset as +09:00 (strftime's %z gives +0900). */
void status_iso_time(char *buf, size_t size, time_t t) {
    struct tm tm;
    localtime_r(&t, &tm);
    char z[8] = "";
    strftime(z, sizeof z, "%z", &tm);
    size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
    if (strlen(z) == 5 && n + 7 <= size) snprintf(buf + n, size - n, "%.3s:%s", z, z + 3);
}

static void add_time(cJSON *obj, const char *key, time_t t) {
    if (t == 0) {
        cJSON_AddNullToObject(obj, key);
        return;
    }
    char buf[40];
    status_iso_time(buf, sizeof buf, t);
    cJSON_AddStringToObject(obj, key, buf);
}

int status_write(const char *state_dir, const struct status_report *r) {
    cJSON *s = cJSON_CreateObject();
    add_time(s, "written_at", time(NULL));
    cJSON_AddStringToObject(s, "version", r->version);
    cJSON_AddStringToObject(s, "feed_url", r->feed_url);
    add_time(s, "last_attempt", r->last_attempt);
    cJSON_AddNumberToObject(s, "attempts", (double)r->attempts);
    add_time(s, "last_success", r->last_success);
    add_time(s, "next_attempt", r->next_attempt);
    cJSON_AddStringToObject(s, "result", r->result);
    /* What the poison guard set aside, if anything (guard.h). */
    size_t qlen = 0;
    char qpath[PATH_MAX], *q = NULL;
    if (cache_path(state_dir, "quarantine.json", qpath, sizeof qpath))
        file_read(AT_FDCWD, qpath, 4096, 0, &q, &qlen, NULL);
    cJSON *qj = q ? cJSON_ParseWithLength(q, qlen) : NULL;
    free(q);
    if (cJSON_IsObject(qj)) cJSON_AddItemToObject(s, "quarantine", qj);
    else cJSON_Delete(qj);
    cJSON_AddNumberToObject(s, "http_status", (double)r->http_status);
    cJSON_AddStringToObject(s, "error", r->error);
    cJSON_AddNumberToObject(s, "consecutive_failures", r->consecutive_failures);
    cJSON_AddBoolToObject(s, "showing_saved_data", r->showing_saved_data);
    cJSON_AddBoolToObject(s, "clock_plausible", clock_plausible(time(NULL)));
    cJSON *feed = cJSON_AddObjectToObject(s, "feed");
    cJSON_AddStringToObject(feed, "source", r->source);
    cJSON_AddNumberToObject(feed, "schema_version", r->schema_version);
    add_time(feed, "updated_at", r->updated_at);
    cJSON_AddStringToObject(feed, "etag", r->etag);
    cJSON_AddNumberToObject(feed, "measures", (double)r->measures);
    cJSON_AddNumberToObject(feed, "problems", (double)r->problems);
    cJSON_AddNumberToObject(feed, "media_failed", r->media_failed);
    cJSON *scr = cJSON_AddObjectToObject(s, "showing");
    cJSON_AddStringToObject(scr, "slide", r->slide);
    cJSON_AddNumberToObject(scr, "index", (double)r->index);
    cJSON_AddNumberToObject(scr, "count", (double)r->count);
    cJSON *med = cJSON_AddObjectToObject(s, "media");
    cJSON_AddStringToObject(med, "dir", r->media_dir);
    cJSON_AddNumberToObject(med, "pictures", (double)r->pictures);
    cJSON_AddStringToObject(med, "last_import", r->last_import);
    if (r->pid > 0) cJSON_AddNumberToObject(s, "pid", (double)r->pid);
    if (r->has_panel) { /* off on purpose is not a failed screen (#17) */
        cJSON *pan = cJSON_AddObjectToObject(s, "panel");
        cJSON_AddStringToObject(pan, "method", r->panel_method);
        cJSON_AddStringToObject(pan, "state", r->panel_state);
        cJSON_AddBoolToObject(pan, "wanted_on", r->panel_wanted_on);
        cJSON_AddStringToObject(pan, "override", r->panel_override);
        cJSON_AddNumberToObject(pan, "errors", (double)r->panel_errors);
        cJSON_AddStringToObject(pan, "detail", r->panel_detail);
        add_time(pan, "changed_at", r->panel_changed_at);
    }
    char *text = cJSON_Print(s);
    cJSON_Delete(s);
    int rc = ENOMEM;
    if (text) {
        rc = cache_replace_file(state_dir, STATUS_FILE, text, strlen(text));
        cJSON_free(text);
    }
    if (rc) LOG(LOG_WARN, "%s/%s: cannot write: %s", state_dir, STATUS_FILE, strerror(rc));
    return rc;
}

void status_panel_words(const char *state, const char *method, const char *override, bool wanted_on,
                    char *buf, size_t size) {
    const char *ja = !strcmp(state, "on")          ? "オン"
                     : !strcmp(state, "standby")   ? "待機中"
                     : !strcmp(state, "black")     ? "黒い画面 (電源は入ったまま)"
                     : !strcmp(state, "no answer") ? "テレビが応答しません"
                     : !strcmp(state, "failed")    ? "切り替えられませんでした"
                     : !strcmp(state, "switching") ? "切り替え中"
                                                   : "不明";
    const char *why = !strcmp(override, "on")    ? "、保守のためオン (IT override: on)"
                      : !strcmp(override, "off") ? "、保守のためオフ (IT override: off)"
                      : wanted_on                ? ""
                                                 : "、表示時間外 (outside display hours)";
    snprintf(buf, size, "%s (%s, %s)%s", ja, state, method, why);
}

/* --- the reader (--status) --- */

static const char *jstr(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "-";
}

static double jnum(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *result_ja(const char *r) {
    static const struct { const char *en, *ja; } map[] = {
        {"ok", "成功"}, {"not modified", "成功 (変更なし)"}, {"HTTP error", "サーバーのエラー"},
        {"too big", "大きすぎる"}, {"timed out", "時間切れ"}, {"refused", "許可されていない URL"},
        {"network error", "ネットワークのエラー"}, {"invalid feed", "フィードの誤り"},
        {"cancelled", "中止 (停止のため)"}, {"not yet", "まだ取得していません"}, {"no feed_url", "feed_url が未設定"},
    };
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (!strcmp(r, map[i].en)) return map[i].ja;
    return r;
}

/* The Japanese for a fetch error (libcurl's words are English), or NULL. */
static const char *error_ja(const char *error) {
    static const struct { const char *part, *ja; } map[] = {
        {"redirect loop", "リダイレクトが多すぎます (ループしていませんか。許可されていない URL ではありません)"},
        {"redirect to a URL that is not allowed", "許可されていない URL (http・https 以外) へのリダイレクト"},
        {"Could not resolve", "サーバーの名前を引けません (DNS・ネットワークを確認)"},
        {"resolve host", "サーバーの名前を引けません (DNS・ネットワークを確認)"},
        {"Connection refused", "サーバーが接続を断りました (サーバーが動いているか確認)"},
        {"Failed to connect", "サーバーに接続できません (ネットワーク・サーバーを確認)"},
        {"certificate", "サーバーの証明書を確認できません (ca_file・時計を確認)"},
        {"SSL", "暗号化 (TLS) の接続に失敗しました"},
        {"timed out", "時間内に応答がありません"},
        {"body larger than", "大きすぎます (1 MiB まで)"},
        {"HTTP status", "サーバーがエラーを返しました"},
        {"not UTF-8", "フィードの文字コードが UTF-8 ではありません"},
        {"not JSON", "フィードが JSON として読めません (--validate で確認)"},
        {"wrong shape", "フィードの形が違います (--validate で確認)"},
        {"nothing usable", "フィードに表示できる施策がありません (--validate で確認)"},
        {"too big", "フィードが大きすぎます"},
        {"media ", "画像を取得できません"},
        {"No such file", "ファイルがありません"},
    };
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (strstr(error, map[i].part)) return map[i].ja;
    return NULL;
}

static const char *source_ja(const char *s) {
    if (!strcmp(s, "network")) return "ネットワークから取得";
    if (!strcmp(s, "cache")) return "保存データ";
    if (!strcmp(s, "previous")) return "保存データ (1つ前の世代)";
    if (!strcmp(s, "embedded")) return "組み込みのアクションプラン";
    if (!strcmp(s, "file")) return "ファイル";
    return s;
}

/* The status file at path, parsed (the caller deletes it); NULL when it is
 * missing (*missing set) or not a JSON object. */
static cJSON *status_load(const char *path, bool *missing) {
    char *text = NULL;
    size_t len = 0;
    *missing = file_read(AT_FDCWD, path, 1 << 20, 0, &text, &len, NULL) != FILE_OK;
    if (*missing) return NULL;
    cJSON *s = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
    free(text);
    if (!cJSON_IsObject(s)) {
        cJSON_Delete(s);
        return NULL;
    }
    return s;
}

static void copy_str(char *dst, size_t size, const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    snprintf(dst, size, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

bool status_read_panel(const char *state_dir, struct status_panel_view *out) {
    memset(out, 0, sizeof *out);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", state_dir, STATUS_FILE);
    bool missing;
    cJSON *s = status_load(path, &missing);
    if (s == NULL) return false;
    const cJSON *pid = cJSON_GetObjectItemCaseSensitive(s, "pid");
    if (cJSON_IsNumber(pid) && pid->valuedouble >= 1 && pid->valuedouble < 4194305) out->pid = (long)pid->valuedouble;
    const cJSON *pan = cJSON_GetObjectItemCaseSensitive(s, "panel");
    if (cJSON_IsObject(pan)) {
        out->has_panel = true;
        copy_str(out->method, sizeof out->method, pan, "method");
        copy_str(out->state, sizeof out->state, pan, "state");
        copy_str(out->override, sizeof out->override, pan, "override");
        copy_str(out->detail, sizeof out->detail, pan, "detail");
        out->wanted_on = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pan, "wanted_on"));
    }
    cJSON_Delete(s);
    return true;
}

int status_print(const char *path) {
    bool missing;
    cJSON *s = status_load(path, &missing);
    if (missing) {
        printf("状態ファイルがありません: %s (no status file: is the player running?)\n", path);
        return 1;
    }
    if (s == NULL) {
        printf("状態ファイルを読めません: %s (unreadable status file)\n", path);
        return 1;
    }
    const cJSON *feed = cJSON_GetObjectItemCaseSensitive(s, "feed");
    const cJSON *show = cJSON_GetObjectItemCaseSensitive(s, "showing");
    const char *result = jstr(s, "result");
    printf("美郷町デジタルサイネージの状態 / status (%s, version %s)\n", jstr(s, "written_at"),
           jstr(s, "version"));
    printf("  フィードの URL / feed URL:   %s\n", jstr(s, "feed_url")[0] ? jstr(s, "feed_url") : "(なし / none)");
    /* "-" stands for a time that has not happened yet. */
    const char *err = jstr(s, "error");
    bool loop = !strcmp(result, "refused") && strstr(err, "redirect loop");
    printf("  最後の取得 / last fetch:     %s  %s (%s", jstr(s, "last_attempt"),
           loop ? "リダイレクトのループ" : result_ja(result), result);
    if (jnum(s, "http_status") > 0) printf(", HTTP %.0f", jnum(s, "http_status"));
    printf(")\n");
    printf("  最後の成功 / last success:   %s\n", jstr(s, "last_success"));
    printf("  次の取得 / next fetch:       %s\n", jstr(s, "next_attempt"));
    printf("  連続の失敗 / failures in a row: %.0f\n", jnum(s, "consecutive_failures"));
    if (err[0] && strcmp(err, "-")) {
        const char *ja = error_ja(err);
        printf("  エラー / error:             %s%s%s%s\n", ja ? ja : "", ja ? " (" : "", err, ja ? ")" : "");
    }
    /* After a failed fetch the data shown is what was kept: not "from the
     * network" now, and the embedded plan is not "saved data". */
    const char *src = jstr(feed, "source");
    bool saved = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "showing_saved_data"));
    printf("  表示中のデータ / data shown:  %s (%s), 更新 updated_at %s, 施策 %.0f 件\n",
           saved && !strcmp(src, "network") ? "前に取得して保存したデータ" : source_ja(src),
           saved && !strcmp(src, "network") ? "network, saved" : src, jstr(feed, "updated_at"),
           jnum(feed, "measures"));
    printf("  画面 / on screen:            スライド %.0f / %.0f (%s)%s\n", jnum(show, "index"),
           jnum(show, "count"), jstr(show, "slide"),
           !saved ? ""
           : !strcmp(src, "embedded") ? "、組み込みのアクションプランを表示中 (showing the embedded plan)"
                                      : "、保存データを表示中 (showing saved data)");
    const cJSON *med = cJSON_GetObjectItemCaseSensitive(s, "media");
    if (med) {
        printf("  画像 / pictures:             %.0f 件 (%s)\n", jnum(med, "pictures"), jstr(med, "dir"));
        const char *li = jstr(med, "last_import");
        if (li[0] && strcmp(li, "-") != 0)
            printf("  最後の USB 取り込み / last import: %s\n", jstr(med, "last_import"));
    }
    const cJSON *pan = cJSON_GetObjectItemCaseSensitive(s, "panel");
    if (cJSON_IsObject(pan)) {
        char words[256];
        status_panel_words(jstr(pan, "state"), jstr(pan, "method"), jstr(pan, "override"),
                       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pan, "wanted_on")), words, sizeof words);
        printf("  パネル / panel:              %s\n", words);
        const char *detail = jstr(pan, "detail");
        if (detail[0] && strcmp(detail, "-") != 0) printf("                               %s\n", detail);
    }
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "clock_plausible")))
        printf("  注意: 時計が合っていません (the system clock is not set yet)\n");
    const cJSON *q = cJSON_GetObjectItemCaseSensitive(s, "quarantine");
    if (cJSON_IsObject(q)) {
        const char *what = jstr(q, "what");
        printf("  隔離 / quarantined:          %s %.16s (%s)\n",
               !strcmp(what, "pictures") ? "USB の画像セット" : "フィード", jstr(q, "id"), what);
        printf("                               %s / %s\n", jstr(q, "why_ja"), jstr(q, "why"));
    }
    cJSON_Delete(s);
    return 0;
}
