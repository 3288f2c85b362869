/* Unit tests for lazy (the libraries opened when first used): nothing is
 * opened before it is needed, the forwarded calls reach the real functions
 * with their arguments, and every function the player forwards exists in
 * the installed libraries. */
#include <stdlib.h>

#include <curl/curl.h>
#include <systemd/sd-daemon.h>

#include "check.h"
#include "lazy.h"

static size_t sink(char *p, size_t size, size_t n, void *u) {
    (void)p;
    (void)u;
    return size * n;
}

/* Outside systemd the notifications cost nothing: libsystemd is not opened. */
static void notify_outside_systemd_should_not_open_libsystemd(void) {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    uint64_t usec = 1;
    CHECK_INT(sd_notify(0, "READY=1"), 0);
    CHECK_INT(sd_notifyf(0, "STATUS=%s %d", "x", 1), 0);
    CHECK_INT(sd_watchdog_enabled(0, &usec), 0);
    CHECK(!lazy_loaded("libsystemd.so.0"));
}

/* Each kind of curl_easy_setopt argument (long, pointer, function, off_t)
 * arrives as what it is: libcurl checks the values it is given. */
static void curl_calls_should_reach_libcurl_with_their_arguments(void) {
    CHECK(!lazy_loaded("libcurl.so.4"));
    CHECK_INT(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    CHECK(lazy_loaded("libcurl.so.4"));
    CURL *c = curl_easy_init();
    CHECK(c != NULL);
    if (c == NULL) return;
    CHECK_INT(curl_easy_setopt(c, CURLOPT_URL, "http://127.0.0.1:1/"), CURLE_OK);
    CHECK_INT(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 500L), CURLE_OK);
    CHECK_INT(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink), CURLE_OK);
    CHECK_INT(curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1 << 40), CURLE_OK);
    /* A negative long is refused by libcurl: the value got there. */
    CHECK_INT(curl_easy_setopt(c, CURLOPT_MAXREDIRS, -5L), CURLE_BAD_FUNCTION_ARGUMENT);
    /* Nothing listens on port 1. */
    CHECK_INT(curl_easy_perform(c), CURLE_COULDNT_CONNECT);
    long code = -1;
    CHECK_INT(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code), CURLE_OK);
    CHECK_INT(code, 0);
    CHECK(strcmp(curl_easy_strerror(CURLE_COULDNT_CONNECT), "Couldn't connect to server") == 0);
    struct curl_slist *l = curl_slist_append(NULL, "X-A: 1");
    CHECK(l != NULL && strcmp(l->data, "X-A: 1") == 0);
    curl_slist_free_all(l);
    CHECK_INT(curl_getdate("Sun, 06 Nov 1994 08:49:37 GMT", NULL), 784111777);
    curl_easy_cleanup(c);
    curl_global_cleanup();
}

static void every_forwarded_function_should_exist(void) {
    char why[600] = "";
    int rc = lazy_check(why, sizeof why);
    if (rc != 0) fprintf(stderr, "lazy_check: %s\n", why);
    CHECK_INT(rc, 0);
    CHECK(lazy_loaded("libSDL2_image-2.0.so.0") && lazy_loaded("libqrencode.so.4"));
}

int main(void) {
    RUN(notify_outside_systemd_should_not_open_libsystemd);
    RUN(curl_calls_should_reach_libcurl_with_their_arguments);
    RUN(every_forwarded_function_should_exist);
    return CHECK_DONE();
}
