/* auth: the studio's users (a file of salted PBKDF2-SHA256 hashes, written
 * by `misato-studio --add-user`), the login rate limit and the sessions
 * (random tokens held in memory only: a restart logs everyone out). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "file.h"
#include "studio.h"
#include "util.h"

#define PBKDF2_ITERATIONS 120000
#define USERS_MAX_BYTES (64 * 1024)

static bool valid_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > STUDIO_USER_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

static void hex_encode(const unsigned char *in, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", in[i]);
    out[2 * n] = '\0';
}

static bool hex_decode(const char *in, unsigned char *out, size_t n) {
    if (strlen(in) != 2 * n) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(in + 2 * i, "%2x", &v) != 1) return false;
        out[i] = (unsigned char)v;
    }
    return true;
}

static void derive(const char *password, const unsigned char salt[16], long iterations,
                   unsigned char out[32]) {
    PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, 16, (int)iterations, EVP_sha256(), 32,
                      out);
}

/* Line format: name:pbkdf2-sha256:iterations:salt_hex:hash_hex */
int auth_add_user(const char *users_file, const char *name, const char *password) {
    if (!valid_name(name) || strlen(password) < 8) return EINVAL;
    char *old = NULL;
    size_t len = 0;
    enum file_status us = file_read(AT_FDCWD, users_file, USERS_MAX_BYTES, 0, &old, &len, NULL);
    if (us != FILE_OK && !(us == FILE_ERR_OPEN && errno == ENOENT)) return errno ? errno : EIO;
    struct sbuf out = {.max = USERS_MAX_BYTES};
    sbuf_printf(&out, "%s", "# misato-studio users: name:pbkdf2-sha256:iterations:salt:hash\n");
    for (char *line = old ? strtok(old, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (line[0] == '#') continue;
        size_t nl = strlen(name);
        if (strncmp(line, name, nl) == 0 && line[nl] == ':') continue; /* replaced */
        sbuf_append(&out, line, strlen(line));
        sbuf_append(&out, "\n", 1);
    }
    free(old);
    unsigned char salt[16], hash[32];
    char salt_hex[33], hash_hex[65];
    char rnd[33];
    studio_random_hex(rnd, 16);
    hex_decode(rnd, salt, 16);
    derive(password, salt, PBKDF2_ITERATIONS, hash);
    hex_encode(salt, 16, salt_hex);
    hex_encode(hash, 32, hash_hex);
    if (!sbuf_printf(&out, "%s:pbkdf2-sha256:%d:%s:%s\n", name, PBKDF2_ITERATIONS, salt_hex,
                     hash_hex)) {
        sbuf_free(&out);
        return EFBIG;
    }
    int rc = studio_write_atomic(users_file, out.data, out.len, 0600);
    sbuf_free(&out);
    return rc;
}

bool auth_check_password(const char *users_file, const char *name, const char *password) {
    /* A dummy derivation for unknown names, so timing does not tell which exist. */
    static const unsigned char dummy_salt[16] = {1};
    unsigned char got[32];
    if (!valid_name(name) || strlen(password) > 1024) {
        derive("x", dummy_salt, PBKDF2_ITERATIONS, got);
        return false;
    }
    char *text = NULL;
    size_t len = 0;
    if (file_read(AT_FDCWD, users_file, USERS_MAX_BYTES, 0, &text, &len, NULL) != FILE_OK) return false;
    bool ok = false, found = false;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[5];
        int n = 0;
        char *s2 = NULL;
        for (char *t = strtok_r(line, ":", &s2); t && n < 5; t = strtok_r(NULL, ":", &s2))
            f[n++] = t;
        if (n != 5 || strcmp(f[0], name) != 0 || strcmp(f[1], "pbkdf2-sha256") != 0) continue;
        long it;
        unsigned char salt[16], want[32];
        if (!util_parse_long(f[2], 1000, 10000000, &it) || !hex_decode(f[3], salt, 16) ||
            !hex_decode(f[4], want, 32))
            continue;
        found = true;
        derive(password, salt, it, got);
        ok = CRYPTO_memcmp(got, want, 32) == 0;
        break;
    }
    if (!found) derive(password, dummy_salt, PBKDF2_ITERATIONS, got);
    OPENSSL_cleanse(text, len);
    free(text);
    return ok;
}

/* --- rate limit ------------------------------------------------------------
 * Per client address and per user name: at most RATE_FAILS failures within
 * RATE_WINDOW seconds; then logins are refused until the window passes. */

#define RATE_SLOTS 256
#define RATE_FAILS 5
#define RATE_WINDOW 300

struct rate {
    char key[80];
    time_t first;
    int fails;
};

static struct rate rates[RATE_SLOTS];
static pthread_mutex_t rate_mu = PTHREAD_MUTEX_INITIALIZER;

static struct rate *rate_find(const char *key, bool create, time_t now) {
    struct rate *oldest = &rates[0];
    for (int i = 0; i < RATE_SLOTS; i++) {
        if (rates[i].key[0] && now - rates[i].first >= RATE_WINDOW) rates[i].key[0] = '\0';
        if (rates[i].key[0] && strcmp(rates[i].key, key) == 0) return &rates[i];
        if (!rates[i].key[0]) oldest = &rates[i];
        else if (oldest->key[0] && rates[i].first < oldest->first) oldest = &rates[i];
    }
    if (!create) return NULL;
    memset(oldest, 0, sizeof *oldest);
    snprintf(oldest->key, sizeof oldest->key, "%s", key);
    oldest->first = now;
    return oldest;
}

static void rate_keys(const char *client, const char *name, char a[80], char b[80]) {
    snprintf(a, 80, "ip %s", client);
    snprintf(b, 80, "user %.40s", name);
}

bool auth_rate_ok(const char *client, const char *name, int *retry_after) {
    char a[80], b[80];
    rate_keys(client, name, a, b);
    time_t now = time(NULL);
    pthread_mutex_lock(&rate_mu);
    bool ok = true;
    const char *keys[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        struct rate *r = rate_find(keys[k], false, now);
        if (r && r->fails >= RATE_FAILS) {
            ok = false;
            *retry_after = (int)(RATE_WINDOW - (now - r->first));
        }
    }
    pthread_mutex_unlock(&rate_mu);
    return ok;
}

void auth_rate_failed(const char *client, const char *name) {
    char a[80], b[80];
    rate_keys(client, name, a, b);
    time_t now = time(NULL);
    pthread_mutex_lock(&rate_mu);
    rate_find(a, true, now)->fails++;
    rate_find(b, true, now)->fails++;
    pthread_mutex_unlock(&rate_mu);
}

void auth_rate_succeeded(const char *client, const char *name) {
    char a[80], b[80];
    rate_keys(client, name, a, b);
    pthread_mutex_lock(&rate_mu);
    struct rate *r = rate_find(b, false, time(NULL));
    if (r) r->key[0] = '\0';
    pthread_mutex_unlock(&rate_mu);
    (void)a;
}

/* --- sessions ------------------------------------------------------------- */

#define SESSION_SLOTS 128

struct session {
    char token[65], csrf[65];
    char user[STUDIO_USER_MAX + 1];
    time_t last;
};

static struct session sessions[SESSION_SLOTS];
static pthread_mutex_t session_mu = PTHREAD_MUTEX_INITIALIZER;

void auth_session_new(const char *user, char token[65], char csrf[65]) {
    studio_random_hex(token, 32);
    studio_random_hex(csrf, 32);
    pthread_mutex_lock(&session_mu);
    struct session *slot = &sessions[0];
    for (int i = 0; i < SESSION_SLOTS; i++) {
        if (!sessions[i].token[0]) {
            slot = &sessions[i];
            break;
        }
        if (sessions[i].last < slot->last) slot = &sessions[i]; /* the least recently used */
    }
    memcpy(slot->token, token, 65);
    memcpy(slot->csrf, csrf, 65);
    snprintf(slot->user, sizeof slot->user, "%s", user);
    slot->last = time(NULL);
    pthread_mutex_unlock(&session_mu);
}

bool auth_session_get(const char *token, int idle_minutes, char user[STUDIO_USER_MAX + 1],
                      char csrf[65]) {
    if (token == NULL || strlen(token) != 64) return false;
    time_t now = time(NULL);
    bool ok = false;
    pthread_mutex_lock(&session_mu);
    for (int i = 0; i < SESSION_SLOTS; i++) {
        struct session *s = &sessions[i];
        if (!s->token[0] || CRYPTO_memcmp(s->token, token, 64) != 0) continue;
        if (now - s->last > (time_t)idle_minutes * 60) {
            memset(s, 0, sizeof *s);
            break;
        }
        s->last = now;
        memcpy(user, s->user, STUDIO_USER_MAX + 1);
        memcpy(csrf, s->csrf, 65);
        ok = true;
        break;
    }
    pthread_mutex_unlock(&session_mu);
    return ok;
}

void auth_session_end(const char *token) {
    if (token == NULL || strlen(token) != 64) return;
    pthread_mutex_lock(&session_mu);
    for (int i = 0; i < SESSION_SLOTS; i++)
        if (sessions[i].token[0] && CRYPTO_memcmp(sessions[i].token, token, 64) == 0)
            memset(&sessions[i], 0, sizeof sessions[i]);
    pthread_mutex_unlock(&session_mu);
}
