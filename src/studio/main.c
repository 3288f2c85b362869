/* misato-studio: the staff's web page for the lobby's feed. Serves the page
 * (embedded HTML/CSS/JS) and a JSON API through libmicrohttpd: login,
 * the feed checked by the player's validator, previews drawn by the
 * player's renderer, publish with an ETag check, the last 50 versions. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include <ini.h>
#include <microhttpd.h>
#include <openssl/crypto.h>

#include "feed.h"
#include "file.h"
#include "log.h"
#include "studio.h"
#include "utf8.h"
#include "util.h"
#include "xalloc.h"

#define STUDIO_DEFAULT_CONFIG "/etc/misato-signage/studio.conf"
#define COOKIE_NAME "misato_session"

extern const unsigned char studio_index_html[], studio_js[], studio_css[];
extern const size_t studio_index_html_len, studio_js_len, studio_css_len;

static struct studio_config CFG;
static const char *CONFIG_PATH = "studio.conf"; /* for messages */

/* --- configuration --------------------------------------------------------- */

static bool parse_listen(const char *s, char *addr, size_t addr_size, int *port) {
    const char *colon = strrchr(s, ':');
    long p;
    if (colon == NULL || (size_t)(colon - s) >= addr_size || !util_parse_long(colon + 1, 1, 65535, &p))
        return false;
    memcpy(addr, s, (size_t)(colon - s));
    addr[colon - s] = '\0';
    struct in_addr a4;
    if (inet_pton(AF_INET, addr, &a4) != 1) return false;
    *port = (int)p;
    return true;
}

static const char *set_key(struct studio_config *c, const char *key, const char *value) {
    if (!strcmp(key, "feed")) util_snprintf_cut(c->feed_path, sizeof c->feed_path, "%s", value);
    else if (!strcmp(key, "listen")) {
        if (!parse_listen(value, c->listen_addr, sizeof c->listen_addr, &c->port))
            return "expected an IPv4 address and port, like 127.0.0.1:8080";
    } else if (!strcmp(key, "users_file")) util_snprintf_cut(c->users_file, sizeof c->users_file, "%s", value);
    else if (!strcmp(key, "versions_dir"))
        util_snprintf_cut(c->versions_dir, sizeof c->versions_dir, "%s", value);
    else if (!strcmp(key, "player_config"))
        util_snprintf_cut(c->player_config, sizeof c->player_config, "%s", value);
    else if (!strcmp(key, "preview_size")) {
        if (!studio_parse_size(value, &c->preview_w, &c->preview_h))
            return "expected WxH, like 1920x1080 or 1080x1920";
    } else if (!strcmp(key, "secure_cookies")) {
        if (!strcmp(value, "yes")) c->secure_cookies = true;
        else if (!strcmp(value, "no")) c->secure_cookies = false;
        else return "expected yes or no";
    } else if (!strcmp(key, "trust_proxy")) {
        if (!strcmp(value, "yes")) c->trust_proxy = true;
        else if (!strcmp(value, "no")) c->trust_proxy = false;
        else return "expected yes or no";
    } else if (!strcmp(key, "allowed_hosts")) {
        char tmp[1024];
        util_snprintf_cut(tmp, sizeof tmp, "%s", value);
        c->n_hosts = 0;
        char *save = NULL;
        for (char *t = strtok_r(tmp, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
            if (c->n_hosts == STUDIO_MAX_HOSTS) return "at most 8 host names";
            util_snprintf_cut(c->hosts[c->n_hosts++], sizeof c->hosts[0], "%s", t);
        }
    } else if (!strcmp(key, "session_minutes")) {
        long v;
        if (!util_parse_long(value, 5, 1440, &v)) return "expected minutes from 5 to 1440";
        c->session_minutes = (int)v;
    } else return "unknown key";
    return NULL;
}

static int studio_ini_entry(void *user, const char *section, const char *key, const char *value) {
    const char *why = set_key(user, key, value);
    if (why) LOG(LOG_ERROR, "%s: %s = %s: %s", CONFIG_PATH, key, value, why);
    (void)section;
    return why == NULL;
}

static void state_path(char *out, size_t size, const char *leaf) {
    const char *sd = getenv("STATE_DIRECTORY"); /* systemd's StateDirectory= */
    const char *home = getenv("HOME");
    if (sd && *sd) util_snprintf_cut(out, size, "%s/%s", sd, leaf);
    else util_snprintf_cut(out, size, "%s/.local/state/misato-studio/%s", home ? home : ".", leaf);
}

static void config_init(struct studio_config *c) {
    memset(c, 0, sizeof *c);
    snprintf(c->listen_addr, sizeof c->listen_addr, "127.0.0.1");
    c->port = 8080;
    state_path(c->users_file, sizeof c->users_file, "users");
    state_path(c->versions_dir, sizeof c->versions_dir, "versions");
    c->preview_w = 1920;
    c->preview_h = 1080;
    c->session_minutes = 120;
}

/* --- HTTP helpers ------------------------------------------------------------ */

struct req {
    struct sbuf body;
    bool too_big;
};

static void security_headers(struct MHD_Response *r) {
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "same-origin");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                            "script-src 'self'; frame-ancestors 'none'; form-action 'self'");
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
                             const void *data, size_t len, const char *cookie) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (r == NULL) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    security_headers(r);
    if (cookie) MHD_add_response_header(r, "Set-Cookie", cookie);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

/* Sends j (and deletes it). */
static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned status, cJSON *j,
                                  const char *cookie) {
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    enum MHD_Result rc = reply(c, status, "application/json; charset=utf-8", text, strlen(text), cookie);
    free(text);
    return rc;
}

/* 200 with j and the feed's ETag as a header too (HTTP's own form of the
 * version the page edits). */
static enum MHD_Result reply_json_etag(struct MHD_Connection *c, cJSON *j, const char *etag) {
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (etag[0]) MHD_add_response_header(r, "ETag", etag);
    security_headers(r);
    enum MHD_Result rc = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned status, const char *ja,
                                   const char *en) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "error", ja);
    cJSON_AddStringToObject(j, "error_en", en);
    return reply_json(c, status, j, NULL);
}

static bool host_allowed(const char *host) {
    if (host == NULL) return false;
    char mine[4][96];
    snprintf(mine[0], sizeof mine[0], "%s:%d", CFG.listen_addr, CFG.port);
    snprintf(mine[1], sizeof mine[1], "127.0.0.1:%d", CFG.port);
    snprintf(mine[2], sizeof mine[2], "localhost:%d", CFG.port);
    snprintf(mine[3], sizeof mine[3], "[::1]:%d", CFG.port);
    for (int i = 0; i < 4; i++)
        if (strcasecmp(host, mine[i]) == 0) return true;
    for (int i = 0; i < CFG.n_hosts; i++)
        if (strcasecmp(host, CFG.hosts[i]) == 0) return true;
    return false;
}

/* A change must come from the studio's own page: its Origin is one of ours. */
static bool origin_allowed(struct MHD_Connection *c) {
    const char *site = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) return false;
    const char *o = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (o == NULL) return false;
    const char *h = NULL;
    if (strncmp(o, "http://", 7) == 0) h = o + 7;
    else if (strncmp(o, "https://", 8) == 0) h = o + 8;
    return h && host_allowed(h);
}

static void client_address(struct MHD_Connection *c, char *out, size_t size) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, size, "?");
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
                  (socklen_t)size);
    /* Behind nginx every peer is 127.0.0.1: the proxy names the real one, so
     * that one address's failures do not lock everybody out. Only a
     * well-formed address from the local proxy is believed. */
    const char *real = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Real-IP");
    unsigned char buf[sizeof(struct in6_addr)];
    if (CFG.trust_proxy && real && strcmp(out, "127.0.0.1") == 0 &&
        (inet_pton(AF_INET, real, buf) == 1 || inet_pton(AF_INET6, real, buf) == 1))
        util_snprintf_cut(out, size, "%s", real);
}

/* The session of the request; false when there is none. */
static bool session_of(struct MHD_Connection *c, char user[STUDIO_USER_MAX + 1], char csrf[65]) {
    const char *tok = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME);
    return auth_session_get(tok, CFG.session_minutes, user, csrf);
}

static cJSON *parse_body(const struct req *q) {
    if (q->body.len == 0 || !utf8_valid(q->body.data, q->body.len)) return NULL;
    cJSON *j = cJSON_ParseWithLength(q->body.data, q->body.len);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static cJSON *problems_json(const struct feed_report *rep) {
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < rep->count; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "path", rep->items[i].path);
        cJSON_AddStringToObject(p, "ja", rep->items[i].ja);
        cJSON_AddStringToObject(p, "en", rep->items[i].en);
        cJSON_AddItemToArray(arr, p);
    }
    return arr;
}

/* The draft's text as the file will hold it. NULL when it is not an
 * object or too big. */
static char *draft_text(const cJSON *feed, bool stamp) {
    if (!cJSON_IsObject(feed)) return NULL;
    cJSON *copy = cJSON_Duplicate(feed, true);
    if (stamp) {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        char when[40], off[8];
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
        strftime(off, sizeof off, "%z", &tm); /* +0900 */
        char iso[48];
        snprintf(iso, sizeof iso, "%s%.3s:%.2s", when, off, off + 3);
        cJSON_DeleteItemFromObjectCaseSensitive(copy, "updated_at");
        cJSON_AddStringToObject(copy, "updated_at", iso);
    }
    char *text = cJSON_Print(copy);
    cJSON_Delete(copy);
    if (text && strlen(text) > FEED_MAX_BYTES) {
        free(text);
        return NULL;
    }
    return text;
}

/* Validation of a draft: {ok, status, problems}. */
static cJSON *check_json(const char *text, bool *publishable) {
    struct feed_report *rep = xmalloc(sizeof *rep);
    struct feed *f = NULL;
    enum feed_status st = feed_parse(text, strlen(text), rep, &f);
    feed_free(f);
    cJSON *j = cJSON_CreateObject();
    *publishable = st == FEED_OK && rep->count == 0;
    cJSON_AddBoolToObject(j, "ok", *publishable);
    cJSON_AddStringToObject(j, "status", feed_status_text(st));
    cJSON_AddItemToObject(j, "problems", problems_json(rep));
    cJSON_AddNumberToObject(j, "omitted", (double)rep->omitted);
    free(rep);
    return j;
}

static cJSON *parse_text(const char *text, size_t len) {
    return text ? cJSON_ParseWithLength(text, len) : NULL;
}

/* --- the API ---------------------------------------------------------------- */

static enum MHD_Result api_login(struct MHD_Connection *c, const struct req *q) {
    cJSON *j = parse_body(q);
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(j, "user");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "password");
    if (!cJSON_IsString(u) || !cJSON_IsString(p)) {
        cJSON_Delete(j);
        return reply_error(c, 400, "名前とパスワードを入れてください", "user and password expected");
    }
    char client[INET6_ADDRSTRLEN + 8], name[STUDIO_USER_MAX + 1];
    client_address(c, client, sizeof client);
    util_snprintf_cut(name, sizeof name, "%s", u->valuestring);
    int retry = 0;
    if (!auth_rate_ok(client, name, &retry)) {
        cJSON_Delete(j);
        LOG(LOG_WARN, "login refused for %s from %s: too many failures", name, client);
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "error", "ログインの失敗が続いたため、しばらく受け付けません。数分後にもう一度お試しください");
        cJSON_AddStringToObject(e, "error_en", "too many failed logins; try again in a few minutes");
        cJSON_AddNumberToObject(e, "retry_after", retry);
        char *text = cJSON_PrintUnformatted(e);
        cJSON_Delete(e);
        struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
        MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
        MHD_add_response_header(r, "Retry-After", ra);
        security_headers(r);
        enum MHD_Result rc = MHD_queue_response(c, 429, r);
        MHD_destroy_response(r);
        return rc;
    }
    bool ok = auth_check_password(CFG.users_file, u->valuestring, p->valuestring) &&
              strlen(u->valuestring) <= STUDIO_USER_MAX;
    cJSON_Delete(j);
    if (!ok) {
        auth_rate_failed(client, name);
        LOG(LOG_WARN, "login failed for %s from %s", name, client);
        return reply_error(c, 401, "名前かパスワードが違います", "wrong user name or password");
    }
    auth_rate_succeeded(client, name);
    char token[65], csrf[65], cookie[256];
    auth_session_new(name, token, csrf);
    snprintf(cookie, sizeof cookie, COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
             token, CFG.session_minutes * 60, CFG.secure_cookies ? "; Secure" : "");
    LOG(LOG_INFO, "%s logged in from %s", name, client);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "user", name);
    cJSON_AddStringToObject(out, "csrf", csrf);
    return reply_json(c, 200, out, cookie);
}

static cJSON *feed_state(char etag[40]) {
    size_t len = 0;
    char *text = store_read_kept(&CFG, &len, etag);
    if (text == NULL) return NULL;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "etag", etag);
    cJSON *feed = parse_text(text, len);
    bool ok;
    cJSON_AddItemToObject(j, "check", check_json(text, &ok));
    cJSON_AddItemToObject(j, "feed", feed ? feed : cJSON_CreateNull());
    free(text);
    return j;
}

/* The changes from the published file to the draft. */
static cJSON *changes_from_file(const cJSON *draft) {
    size_t len = 0;
    char etag[40];
    char *text = store_read(&CFG, &len, etag);
    cJSON *cur = parse_text(text, len);
    free(text);
    cJSON *d = diff_words(cur, draft);
    cJSON_Delete(cur);
    return d;
}

static enum MHD_Result api_check(struct MHD_Connection *c, cJSON *j) {
    const cJSON *feed = cJSON_GetObjectItemCaseSensitive(j, "feed");
    char *text = draft_text(feed, false);
    if (text == NULL) return reply_error(c, 400, "フィードが読めません", "feed object expected (at most 1 MiB)");
    bool ok;
    cJSON *out = check_json(text, &ok);
    cJSON_AddItemToObject(out, "changes", changes_from_file(feed));
    free(text);
    return reply_json(c, 200, out, NULL);
}

static enum MHD_Result api_preview(struct MHD_Connection *c, cJSON *j) {
    const cJSON *feed = cJSON_GetObjectItemCaseSensitive(j, "feed");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(j, "at");
    time_t when = time(NULL);
    if (cJSON_IsString(at) && at->valuestring[0] && !util_parse_local_time(at->valuestring, &when))
        return reply_error(c, 400, "日時は 2026-11-24T09:00 の形で入れてください",
                           "at: expected YYYY-MM-DDTHH:MM");
    when -= when % 60; /* the header shows minutes: one preview per minute */
    char *text = draft_text(feed, false);
    if (text == NULL) return reply_error(c, 400, "フィードが読めません", "feed object expected");
    /* The published file at the same moment, to mark what changes; first,
     * so that staff editing at once share its render rather than each
     * waiting behind the others' drafts for it. */
    size_t len = 0;
    char etag[40], pkey[65], pwhy[160];
    char *pub = store_read(&CFG, &len, etag);
    /* In the draft's form, so that an unchanged draft is the same render. */
    cJSON *pub_json = parse_text(pub, len);
    free(pub);
    pub = pub_json ? draft_text(pub_json, false) : NULL;
    cJSON_Delete(pub_json);
    cJSON *before = pub ? preview_render(pub, strlen(pub), when, pkey, pwhy, sizeof pwhy) : NULL;
    free(pub);
    char key[65], why[160] = "";
    cJSON *slides = preview_render(text, strlen(text), when, key, why, sizeof why);
    free(text);
    if (slides == NULL) {
        cJSON_Delete(before);
        return reply_error(c, 422, "この内容では画面を作れません", why);
    }
    cJSON *s;
    cJSON_ArrayForEach(s, slides) {
        const char *id = cJSON_GetObjectItemCaseSensitive(s, "id")->valuestring;
        const char *h = cJSON_GetObjectItemCaseSensitive(s, "hash")->valuestring;
        bool changed = true;
        const cJSON *b;
        cJSON_ArrayForEach(b, before) {
            if (!strcmp(cJSON_GetObjectItemCaseSensitive(b, "id")->valuestring, id))
                changed = strcmp(cJSON_GetObjectItemCaseSensitive(b, "hash")->valuestring, h) != 0;
        }
        char url[128];
        snprintf(url, sizeof url, "/api/png/%s/%d", key,
                 (int)cJSON_GetObjectItemCaseSensitive(s, "n")->valuedouble);
        cJSON_AddStringToObject(s, "url", url);
        cJSON_AddBoolToObject(s, "changed", before ? changed : false);
    }
    cJSON_Delete(before);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "key", key);
    cJSON_AddNumberToObject(out, "width", CFG.preview_w);
    cJSON_AddNumberToObject(out, "height", CFG.preview_h);
    struct tm tm;
    localtime_r(&when, &tm);
    char w[32];
    strftime(w, sizeof w, "%Y-%m-%dT%H:%M", &tm);
    cJSON_AddStringToObject(out, "at", w);
    cJSON_AddItemToObject(out, "slides", slides);
    return reply_json(c, 200, out, NULL);
}

/* Publishes text (already checked) over base_etag; replies 200, 409 or 500. */
static enum MHD_Result publish_text(struct MHD_Connection *c, const char *text, const char *base,
                                    const char *user, const char *note) {
    char new_etag[40];
    char *current = NULL;
    int err = 0;
    enum store_status st = store_publish(&CFG, text, strlen(text), base, user, note, new_etag, &current, &err);
    if (st == STORE_CONFLICT) {
        /* Someone else published since this page loaded: show what they changed. */
        size_t blen = 0, clen = strlen(current);
        char *base_text = store_version_by_etag(&CFG, base, &blen);
        cJSON *b = parse_text(base_text, blen), *cur = parse_text(current, clen);
        cJSON *out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "error",
                                "ほかの人が先に公開しました。その変更を確認してから、もう一度編集してください");
        cJSON_AddStringToObject(out, "error_en", "someone else published first; review their change");
        char cur_etag[40];
        studio_etag(current, clen, cur_etag);
        cJSON_AddStringToObject(out, "etag", cur_etag);
        cJSON_AddItemToObject(out, "their_changes", b ? diff_words(b, cur) : cJSON_CreateArray());
        cJSON *mine = parse_text(text, strlen(text));
        cJSON_AddItemToObject(out, "your_changes", diff_words(b ? b : cur, mine));
        cJSON_Delete(mine);
        cJSON *vs = store_versions(&CFG);
        cJSON *latest = cJSON_DetachItemFromArray(vs, 0);
        cJSON_Delete(vs);
        cJSON_AddItemToObject(out, "by", latest ? latest : cJSON_CreateNull());
        cJSON_AddItemToObject(out, "feed", cur ? cur : cJSON_CreateNull());
        cJSON_Delete(b);
        free(base_text);
        free(current);
        return reply_json(c, 409, out, NULL);
    }
    if (st != STORE_OK) {
        LOG(LOG_ERROR, "%s: cannot publish: %s", CFG.feed_path, strerror(err));
        return reply_error(c, 500, "ファイルを書き込めませんでした。情報担当に連絡してください",
                           strerror(err));
    }
    LOG(LOG_INFO, "%s published %s (%s)", user, CFG.feed_path, new_etag);
    cJSON *out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "etag", new_etag);
    return reply_json(c, 200, out, NULL);
}

static enum MHD_Result api_publish(struct MHD_Connection *c, cJSON *j, const char *user) {
    const cJSON *feed = cJSON_GetObjectItemCaseSensitive(j, "feed");
    const cJSON *etag = cJSON_GetObjectItemCaseSensitive(j, "etag");
    const char *base = cJSON_IsString(etag) ? etag->valuestring
                                           : MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-Match");
    if (base == NULL) return reply_error(c, 428, "版の情報がありません", "etag (or If-Match) expected");
    char *text = draft_text(feed, true);
    if (text == NULL) return reply_error(c, 400, "フィードが読めません", "feed object expected");
    bool ok;
    cJSON *chk = check_json(text, &ok);
    if (!ok) {
        free(text);
        cJSON_AddStringToObject(chk, "error", "直すところが残っているので公開できません");
        cJSON_AddStringToObject(chk, "error_en", "the feed has problems; nothing was published");
        return reply_json(c, 422, chk, NULL);
    }
    cJSON_Delete(chk);
    enum MHD_Result rc = publish_text(c, text, base, user, "");
    free(text);
    return rc;
}

static enum MHD_Result api_restore(struct MHD_Connection *c, cJSON *j, const char *user) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
    const cJSON *etag = cJSON_GetObjectItemCaseSensitive(j, "etag");
    if (!cJSON_IsNumber(id) || id->valuedouble != (double)(long)id->valuedouble || !cJSON_IsString(etag))
        return reply_error(c, 400, "版の番号がありません", "id (a number) and etag expected");
    size_t len = 0;
    char *text = store_version_text(&CFG, (long)id->valuedouble, &len);
    if (text == NULL) return reply_error(c, 404, "その版はありません", "no such version");
    bool ok;
    cJSON *chk = check_json(text, &ok);
    cJSON_Delete(chk);
    if (!ok) {
        free(text);
        return reply_error(c, 422, "その版には直すところがあるので戻せません", "that version has problems");
    }
    char note[64];
    snprintf(note, sizeof note, "版 %ld に戻す / restore of %ld", (long)id->valuedouble, (long)id->valuedouble);
    enum MHD_Result rc = publish_text(c, text, etag->valuestring, user, note);
    free(text);
    return rc;
}

static enum MHD_Result api_png(struct MHD_Connection *c, const char *rest) {
    /* /api/png/<64 hex>/<n>: a key and a number, never a path. */
    char key[65];
    if (strlen(rest) < 66 || rest[64] != '/') return reply_error(c, 404, "ありません", "not found");
    for (int i = 0; i < 64; i++)
        if (!((rest[i] >= '0' && rest[i] <= '9') || (rest[i] >= 'a' && rest[i] <= 'f')))
            return reply_error(c, 404, "ありません", "not found");
    memcpy(key, rest, 64);
    key[64] = '\0';
    long n;
    if (!util_parse_long(rest + 65, 1, DECK_MAX_SLIDES + 1, &n)) return reply_error(c, 404, "ありません", "not found");
    size_t len = 0;
    unsigned char *png = preview_png(key, (int)n, &len);
    if (png == NULL) return reply_error(c, 404, "プレビューが古くなりました", "preview expired");
    enum MHD_Result rc = reply(c, 200, "image/png", png, len, NULL);
    free(png);
    return rc;
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url, bool post, struct req *q) {
    if (!post) {
        if (!strcmp(url, "/") || !strcmp(url, "/index.html"))
            return reply(c, 200, "text/html; charset=utf-8", studio_index_html, studio_index_html_len, NULL);
        if (!strcmp(url, "/studio.js"))
            return reply(c, 200, "text/javascript; charset=utf-8", studio_js, studio_js_len, NULL);
        if (!strcmp(url, "/studio.css"))
            return reply(c, 200, "text/css; charset=utf-8", studio_css, studio_css_len, NULL);
    }
    if (strncmp(url, "/api/", 5) != 0) return reply_error(c, 404, "ページがありません", "not found");
    if (post && !origin_allowed(c))
        return reply_error(c, 403, "このページからの操作ではありません", "cross-origin request refused");
    if (post && !strcmp(url, "/api/login")) return api_login(c, q);
    char user[STUDIO_USER_MAX + 1], csrf[65];
    if (!session_of(c, user, csrf))
        return reply_error(c, 401, "ログインしてください", "not logged in");
    if (!post) {
        if (!strcmp(url, "/api/session")) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "user", user);
            cJSON_AddStringToObject(j, "csrf", csrf);
            cJSON_AddNumberToObject(j, "width", CFG.preview_w);
            cJSON_AddNumberToObject(j, "height", CFG.preview_h);
            return reply_json(c, 200, j, NULL);
        }
        if (!strcmp(url, "/api/feed")) {
            char etag[40];
            cJSON *j = feed_state(etag);
            if (j == NULL) return reply_error(c, 500, "フィードのファイルを読めません", strerror(errno));
            return reply_json_etag(c, j, etag);
        }
        if (!strcmp(url, "/api/versions")) {
            cJSON *j = cJSON_CreateObject();
            cJSON_AddItemToObject(j, "versions", store_versions(&CFG));
            return reply_json(c, 200, j, NULL);
        }
        if (!strncmp(url, "/api/png/", 9)) return api_png(c, url + 9);
        return reply_error(c, 404, "ありません", "not found");
    }
    /* Every change carries the session's CSRF token. */
    const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
    if (tok == NULL || strlen(tok) != 64 || CRYPTO_memcmp(tok, csrf, 64) != 0)
        return reply_error(c, 403, "ページを読み込み直してください (確認用の符号が違います)", "CSRF token missing or wrong");
    if (!strcmp(url, "/api/logout")) {
        auth_session_end(MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE_NAME));
        cJSON *j = cJSON_CreateObject();
        cJSON_AddBoolToObject(j, "ok", true);
        return reply_json(c, 200, j, COOKIE_NAME "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    }
    cJSON *j = parse_body(q);
    if (j == NULL) return reply_error(c, 400, "送られた内容が読めません", "a JSON object expected");
    enum MHD_Result rc;
    if (!strcmp(url, "/api/check")) rc = api_check(c, j);
    else if (!strcmp(url, "/api/preview")) rc = api_preview(c, j);
    else if (!strcmp(url, "/api/publish")) rc = api_publish(c, j, user);
    else if (!strcmp(url, "/api/restore")) rc = api_restore(c, j, user);
    else rc = reply_error(c, 404, "ありません", "not found");
    cJSON_Delete(j);
    return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls) {
    (void)cls;
    (void)version;
    struct req *q = *con_cls;
    bool post = strcmp(method, "POST") == 0;
    if (q == NULL) {
        if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
            return reply_error(c, 405, "使えない操作です", "method not allowed");
        if (!host_allowed(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host")))
            return reply_error(c, 421, "このアドレスでは使えません", "Host not allowed");
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        long n = 0;
        if (cl && (!util_parse_long(cl, 0, 1L << 40, &n) || n > STUDIO_MAX_BODY))
            return reply_error(c, 413, "内容が大きすぎます (1 MiB まで)", "request body too large");
        q = xcalloc(1, sizeof *q);
        q->body.max = STUDIO_MAX_BODY;
        *con_cls = q;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!q->too_big && !sbuf_append(&q->body, upload, *upload_size)) q->too_big = true;
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->too_big) return reply_error(c, 413, "内容が大きすぎます (1 MiB まで)", "request body too large");
    return route(c, url, post, q);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
    (void)cls;
    (void)c;
    (void)toe;
    struct req *q = *con_cls;
    if (q) {
        sbuf_free(&q->body);
        free(q);
    }
    *con_cls = NULL;
}

/* --- main -------------------------------------------------------------------- */

static void usage(FILE *f) {
    fputs("misato-studio: 職員がフィードを編集する Web ページ / the staff's web page for the feed\n"
          "usage: misato-studio [options]\n"
          "  --config FILE        設定 / settings (default " STUDIO_DEFAULT_CONFIG " if it exists)\n"
          "  --feed FILE          編集して公開するフィードのファイル / the feed file to edit and publish\n"
          "  --listen ADDR:PORT   待ち受け / address to serve on (default 127.0.0.1:8080)\n"
          "  --users FILE         利用者のファイル / users file\n"
          "  --versions DIR       版を残すフォルダ / where the last 50 versions are kept\n"
          "  --player-config FILE プレーヤーの設定 (町名・フォント・秒数) / the player's signage.conf\n"
          "  --size WxH           プレビューの大きさ / preview size (default 1920x1080; 1080x1920 portrait)\n"
          "  --add-user NAME      利用者を追加 (パスワードは標準入力から) / add a user, password on stdin\n"
          "  --version, --help\n",
          f);
}

static int add_user(const char *name) {
    char pw[1100];
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fprintf(stderr, "%s のパスワード (8文字以上) / password for %s (8+ characters): ", name, name);
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    bool got = fgets(pw, sizeof pw, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stderr);
    }
    if (!got) {
        fprintf(stderr, "パスワードがありません / no password given\n");
        return 64;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    char *slash = strrchr(CFG.users_file, '/');
    if (slash) {
        *slash = '\0';
        file_mkdir_p(CFG.users_file);
        *slash = '/';
    }
    int rc = auth_add_user(CFG.users_file, name, pw);
    OPENSSL_cleanse(pw, sizeof pw);
    if (rc == EINVAL) {
        fprintf(stderr, "名前は英数字と - _ . の32文字まで、パスワードは8文字以上にしてください\n"
                        "the name: up to 32 letters, digits, - _ .; the password: 8 characters or more\n");
        return 64;
    }
    if (rc) {
        fprintf(stderr, "%s: 書き込めません / cannot write: %s\n", CFG.users_file, strerror(rc));
        return 1;
    }
    printf("%s を %s に登録しました / added %s to %s\n", name, CFG.users_file, name, CFG.users_file);
    return 0;
}

/* What the command line asks for. */
struct studio_args {
    const char *config_path, *add;
    const char *over[7][2]; /* settings keys and values that override studio.conf */
    int n_over;
};

/* Reads the options into *a; returns -1 to go on, else the exit code
 * (--version, --help, a wrong option: 64). */
static int parse_args(int argc, char **argv, struct studio_args *a) {
    enum { O_CONFIG = 256, O_FEED, O_LISTEN, O_USERS, O_VERSIONS, O_PLAYER, O_SIZE, O_ADD, O_VERSION, O_HELP };
    static const struct option opts[] = {
        {"config", required_argument, 0, O_CONFIG},   {"feed", required_argument, 0, O_FEED},
        {"listen", required_argument, 0, O_LISTEN},   {"users", required_argument, 0, O_USERS},
        {"versions", required_argument, 0, O_VERSIONS}, {"player-config", required_argument, 0, O_PLAYER},
        {"size", required_argument, 0, O_SIZE},       {"add-user", required_argument, 0, O_ADD},
        {"version", no_argument, 0, O_VERSION},       {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *key = NULL;
        switch (o) {
        case O_CONFIG: a->config_path = optarg; break;
        case O_FEED: key = "feed"; break;
        case O_LISTEN: key = "listen"; break;
        case O_USERS: key = "users_file"; break;
        case O_VERSIONS: key = "versions_dir"; break;
        case O_PLAYER: key = "player_config"; break;
        case O_SIZE: key = "preview_size"; break;
        case O_ADD: a->add = optarg; break;
        case O_VERSION: printf("misato-studio %s\n", MISATO_VERSION); return 0;
        case O_HELP: usage(stdout); return 0;
        default: usage(stderr); return 64;
        }
        if (key) a->over[a->n_over][0] = key, a->over[a->n_over++][1] = optarg;
        if (a->n_over == 7) a->n_over = 6; /* a repeated option: the last one counts */
    }
    if (optind < argc) {
        usage(stderr);
        return 64;
    }
    return -1;
}

/* studio.conf (the one given, else the installed one if there is one),
 * then the command line's settings over it. Returns -1 to go on, else the
 * exit code. */
static int load_settings(const struct studio_args *a) {
    const char *config_path = a->config_path;
    if (config_path == NULL && access(STUDIO_DEFAULT_CONFIG, F_OK) == 0) config_path = STUDIO_DEFAULT_CONFIG;
    if (config_path) {
        CONFIG_PATH = config_path;
        int rc = ini_parse(config_path, studio_ini_entry, &CFG);
        if (rc < 0) {
            LOG(LOG_ERROR, "%s: cannot read the settings: %s", config_path, strerror(errno));
            return 1;
        }
        if (rc > 0) return 64;
    }
    for (int i = 0; i < a->n_over; i++) {
        const char *why = set_key(&CFG, a->over[i][0], a->over[i][1]);
        if (why) {
            LOG(LOG_ERROR, "--%s %s: %s", a->over[i][0], a->over[i][1], why);
            return 64;
        }
    }
    return -1;
}

/* The player's settings (its time zone, pictures and fonts) for the
 * previews; with none, no cached pictures either. Returns -1 to go on,
 * else the exit code. */
static int load_player_settings(void) {
    config_defaults(&CFG.player);
    if (CFG.player_config[0]) {
        int problems = 0;
        if (config_load(CFG.player_config, &CFG.player, &problems) == CONFIG_ERR_OPEN) {
            LOG(LOG_ERROR, "%s: cannot read the player's settings", CFG.player_config);
            return 1;
        }
    } else {
        CFG.player.cache_dir[0] = CFG.player.media_dir[0] = '\0';
    }
    setenv("TZ", CFG.player.timezone, 1);
    tzset();
    return -1;
}

/* Serves the studio until SIGINT or SIGTERM (waited for with sigwait:
 * every thread started here has them blocked). Returns the exit code. */
static int serve(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* every thread started below inherits it */
    signal(SIGPIPE, SIG_IGN);

    if (!preview_start(&CFG)) {
        LOG(LOG_ERROR, "no font to draw previews with");
        return 1;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)CFG.port)};
    inet_pton(AF_INET, CFG.listen_addr, &sa.sin_addr);
    struct MHD_Daemon *d = MHD_start_daemon(
        /* A thread per connection: a request waiting for its preview must
         * not stall the other connections (a pool thread serves several). */
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
        (uint16_t)CFG.port, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_LIMIT, 64, MHD_OPTION_PER_IP_CONNECTION_LIMIT, 32,
        MHD_OPTION_CONNECTION_TIMEOUT, 30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
    if (d == NULL) {
        LOG(LOG_ERROR, "cannot listen on %s:%d: %s", CFG.listen_addr, CFG.port, strerror(errno));
        preview_stop();
        return 1;
    }
    LOG(LOG_INFO, "misato-studio: http://%s:%d/ edits %s (users %s, versions %s, preview %dx%d)",
        CFG.listen_addr, CFG.port, CFG.feed_path, CFG.users_file, CFG.versions_dir, CFG.preview_w,
        CFG.preview_h);
    printf("http://%s:%d/\n", CFG.listen_addr, CFG.port);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    LOG(LOG_INFO, "stopping (signal %d)", sig);
    preview_wake_all(); /* requests waiting for previews answer now */
    MHD_stop_daemon(d);
    preview_stop();
    return 0;
}

int main(int argc, char **argv) {
    log_init_from_env();
    config_init(&CFG);
    struct studio_args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc < 0) rc = load_settings(&a);
    if (rc >= 0) return rc;
    if (a.add) return add_user(a.add);
    if (CFG.feed_path[0] == '\0') {
        LOG(LOG_ERROR, "no feed file: use --feed FILE (or feed = in studio.conf)");
        return 64;
    }
    if ((rc = load_player_settings()) >= 0) return rc;
    if (access(CFG.users_file, R_OK) != 0)
        LOG(LOG_WARN, "%s: no users yet: add one with misato-studio --add-user NAME", CFG.users_file);
    return serve();
}
