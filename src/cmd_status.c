/* cmd_status: --status, the status file of the running player in words for
 * IT (Japanese first). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "app.h"
#include "config.h"
#include "updater.h"
#include "util.h"

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

int app_status(const char *config_path) {
    struct config cfg;
    config_defaults_service(&cfg); /* the service's state_dir */
    struct stat sb;
    if (config_path == NULL && stat(CONFIG_DEFAULT_PATH, &sb) == 0) config_path = CONFIG_DEFAULT_PATH;
    if (config_path) config_load(config_path, &cfg, NULL);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", cfg.state_dir, STATUS_FILE);
    char *text = NULL;
    size_t len = 0;
    if (util_read_file(path, 1 << 20, &text, &len) != UTIL_OK) {
        printf("状態ファイルがありません: %s (no status file: is the player running?)\n", path);
        return 1;
    }
    cJSON *s = cJSON_ParseWithLengthOpts(text, len + 1, NULL, 1);
    free(text);
    if (!cJSON_IsObject(s)) {
        printf("状態ファイルを読めません: %s (unreadable status file)\n", path);
        cJSON_Delete(s);
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
