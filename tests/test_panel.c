/* Unit tests of panel.c: the CEC messages' bytes (against the kernel's own
 * cec-funcs.h helpers), the power status reply, and the state machine over
 * fake methods: switched only on a change, a TV that does not answer is
 * reported once and not retried until the next change, the next method is
 * tried, IT's override lasts until the schedule changes. */
#include <stdatomic.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>

#include <linux/cec.h>
#include <linux/cec-funcs.h>

#include "check.h"
#include "file.h"
#include "metrics.h"
#include "panel.h"
#include "status.h"
#include "util.h"

static void cec_standby_should_match_the_kernels_helper(void) {
    uint8_t b[4];
    size_t n = panel_cec_standby(b, 4);
    struct cec_msg m;
    cec_msg_init(&m, 4, CEC_LOG_ADDR_TV);
    cec_msg_standby(&m);
    CHECK_INT(n, m.len);
    CHECK(memcmp(b, m.msg, n) == 0);
    CHECK_INT(b[0], 0x40);
    CHECK_INT(b[1], 0x36);
}

static void cec_wake_messages_should_match_the_kernels_helpers(void) {
    uint8_t b[4];
    struct cec_msg m;
    size_t n = panel_cec_image_view_on(b, 8);
    cec_msg_init(&m, 8, CEC_LOG_ADDR_TV);
    cec_msg_image_view_on(&m);
    CHECK_INT(n, m.len);
    CHECK(memcmp(b, m.msg, n) == 0);
    n = panel_cec_active_source(b, 4, 0x1200);
    cec_msg_init(&m, 4, 0);
    cec_msg_active_source(&m, 0x1200);
    CHECK_INT(n, m.len);
    CHECK(memcmp(b, m.msg, n) == 0);
    CHECK_INT(b[0], 0x4f); /* broadcast */
    CHECK_INT(b[2], 0x12);
    CHECK_INT(b[3], 0x00);
    n = panel_cec_give_power_status(b, 4);
    cec_msg_init(&m, 4, CEC_LOG_ADDR_TV);
    cec_msg_give_device_power_status(&m, 1);
    CHECK_INT(n, m.len);
    CHECK(memcmp(b, m.msg, n) == 0);
}

static void power_status_reply_should_be_read(void) {
    uint8_t on[] = {0x04, 0x90, 0x00}, standby[] = {0x04, 0x90, 0x01};
    uint8_t waking[] = {0x04, 0x90, 0x02}, sleeping[] = {0x04, 0x90, 0x03};
    uint8_t other[] = {0x04, 0x9e, 0x05}, bad[] = {0x04, 0x90, 0x07};
    CHECK_INT(panel_cec_parse_power_status(on, 3), 1);
    CHECK_INT(panel_cec_parse_power_status(standby, 3), 0);
    CHECK_INT(panel_cec_parse_power_status(waking, 3), 1);
    CHECK_INT(panel_cec_parse_power_status(sleeping, 3), 0);
    CHECK_INT(panel_cec_parse_power_status(other, 3), -1);
    CHECK_INT(panel_cec_parse_power_status(bad, 3), -1);
    CHECK_INT(panel_cec_parse_power_status(on, 2), -1);
}

/* A fake method: answers as told, counts the calls, remembers the level. */
struct fake {
    int answer;   /* what set returns: 0, 1 (no answer), -1 */
    int lie;      /* get returns this when >= 0, else the level */
    int lag;      /* the first lag gets after a change still say the old level */
    bool old;
    int calls, gets;
    bool level;
};

static int fake_set(void *ctx, bool on, char *why, size_t size) {
    struct fake *f = ctx;
    f->calls++;
    if (f->answer == 0) {
        f->old = f->level;
        f->level = on;
    }
    else snprintf(why, size, "fake: %s", f->answer > 0 ? "no answer" : "refused");
    return f->answer;
}

static int fake_get(void *ctx) {
    struct fake *f = ctx;
    f->gets++;
    if (f->lag > 0) {
        f->lag--;
        return f->old;
    }
    return f->lie >= 0 ? f->lie : f->level;
}

/* The state machine's cases run the fakes on the main thread, answered at
 * once, as the KMS and X11 methods are; the worker's hand-off has cases of
 * its own below. */
static struct panel_backend fake_backend(const char *name, struct fake *f) {
    return (struct panel_backend){name, fake_set, fake_get, NULL, f, 0, .main_thread = true};
}

static void panel_should_switch_only_when_the_schedule_changes(void) {
    struct fake f = {.lie = -1};
    struct panel_backend b = fake_backend("cec", &f);
    struct panel *p = panel_new(&b, 1);
    CHECK(panel_update(p, true, false, 100));
    CHECK_INT(f.calls, 1);
    CHECK(f.level);
    for (int i = 0; i < 50; i++) CHECK(panel_update(p, true, false, 101 + i));
    CHECK_INT(f.calls, 1);
    CHECK(!panel_update(p, false, false, 200));
    CHECK_INT(f.calls, 2);
    CHECK(!f.level);
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(panel_state_name(r.state), "standby");
    CHECK_STR(r.method, "cec");
    CHECK(!r.wanted_on);
    CHECK_INT(r.changed_at, 200);
    /* The metrics say the same. */
    struct metrics_snapshot s;
    metrics_snapshot(&s);
    CHECK_STR(s.panel_state, "standby");
    CHECK_STR(s.panel_method, "cec");
    /* An alert wakes it; when it is over the panel sleeps again. */
    CHECK(panel_update(p, false, true, 300));
    CHECK(f.level);
    CHECK(!panel_update(p, false, false, 400));
    CHECK(!f.level);
    CHECK_INT(f.calls, 4);
    panel_free(p);
}

/* Counts the lines of the log (stderr) that contain needle while fn runs. */
static int count_log_lines(void (*fn)(void *), void *arg, const char *needle) {
    char path[] = "/tmp/test-panel-log-XXXXXX";
    int fd = mkstemp(path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    char *text = NULL;
    size_t len = 0;
    int n = 0;
    if (file_read(AT_FDCWD, path, 1 << 20, 0, &text, &len, NULL) == FILE_OK)
        for (char *c = text; (c = strstr(c, needle)) != NULL; c++) n++;
    free(text);
    unlink(path);
    return n;
}

struct silent_tv {
    struct fake f;
    struct panel *p;
};

/* Three evenings and mornings with a TV that never answers, checked every
 * second in between, as the display loop does. */
static void three_days_of_a_silent_tv(void *arg) {
    struct silent_tv *t = arg;
    time_t now = 1000;
    for (int day = 0; day < 3; day++) {
        for (int i = 0; i < 100; i++) panel_update(t->p, false, false, now++);
        for (int i = 0; i < 100; i++) panel_update(t->p, true, false, now++);
    }
}

static void a_tv_that_does_not_answer_should_be_reported_once_not_retried(void) {
    struct silent_tv t = {.f = {.answer = 1, .lie = -1}};
    struct panel_backend b = fake_backend("cec", &t.f);
    t.p = panel_new(&b, 1);
    panel_update(t.p, true, false, 1); /* the start: wake it (it does not answer either) */
    CHECK_INT(t.f.calls, 1);
    int warnings = count_log_lines(three_days_of_a_silent_tv, &t, "warn: panel: could not switch");
    /* One attempt per change of the schedule, never more. */
    CHECK_INT(t.f.calls, 1 + 6);
    /* Said once (the first failure happened before the capture). */
    CHECK_INT(warnings, 0);
    struct panel_report r;
    panel_get_report(t.p, &r);
    CHECK_STR(panel_state_name(r.state), "no answer");
    CHECK_INT(r.errors, 7);
    CHECK(strstr(r.detail, "no answer") != NULL);
    panel_free(t.p);

    /* And the first failure is said. */
    struct silent_tv u = {.f = {.answer = 1, .lie = -1}};
    b = fake_backend("cec", &u.f);
    u.p = panel_new(&b, 1);
    CHECK_INT(count_log_lines(three_days_of_a_silent_tv, &u, "warn: panel: could not switch"), 1);
    CHECK_INT(u.f.calls, 6);
    /* When it answers again it is said, and the next failure is new news. */
    u.f.answer = 0;
    panel_update(u.p, false, false, 5000);
    struct panel_report r2;
    panel_get_report(u.p, &r2);
    CHECK_STR(panel_state_name(r2.state), "standby");
    CHECK_STR(r2.detail, "");
    u.f.answer = 1;
    CHECK_INT(count_log_lines(three_days_of_a_silent_tv, &u, "warn: panel: could not switch"), 1);
    panel_free(u.p);
}

static void the_next_method_should_be_tried_when_the_first_fails(void) {
    struct fake cec = {.answer = 1, .lie = -1}, dpms = {.lie = -1};
    struct panel_backend b[2] = {fake_backend("cec", &cec), fake_backend("dpms-kms", &dpms)};
    struct panel *p = panel_new(b, 2);
    panel_update(p, false, false, 10);
    CHECK_INT(cec.calls, 1);
    CHECK_INT(dpms.calls, 1);
    CHECK(!dpms.level);
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(r.method, "dpms-kms");
    CHECK_STR(panel_state_name(r.state), "standby");
    CHECK_INT(r.errors, 0);
    panel_free(p);
}

static void waking_should_tell_every_method(void) {
    /* Evening: the TV does not answer CEC, so DPMS puts the signal to
     * sleep. Morning: CEC answers again; the signal must come back too. */
    struct fake cec = {.answer = 1, .lie = -1}, dpms = {.lie = -1};
    struct panel_backend b[2] = {fake_backend("cec", &cec), fake_backend("dpms-kms", &dpms)};
    struct panel *p = panel_new(b, 2);
    panel_update(p, false, false, 10);
    CHECK(!dpms.level);
    cec.answer = 0;
    panel_update(p, true, false, 20);
    CHECK(cec.level);
    CHECK(dpms.level);
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(r.method, "cec");
    CHECK_STR(panel_state_name(r.state), "on");
    /* Standby stops at the first that works: DPMS stays on under CEC. */
    int dpms_calls = dpms.calls;
    panel_update(p, false, false, 30);
    CHECK(!cec.level);
    CHECK_INT(dpms.calls, dpms_calls);
    panel_free(p);
}

static void a_panel_that_stays_on_should_be_a_failure(void) {
    struct fake f = {.lie = 1}; /* says "on" whatever it was asked */
    struct panel_backend b = fake_backend("dpms-x11", &f);
    struct panel *p = panel_new(&b, 1);
    panel_update(p, false, false, 10);
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(panel_state_name(r.state), "failed");
    CHECK(strstr(r.detail, "says on") != NULL);
    CHECK_INT(f.gets, 1);
    panel_free(p);
}

/* The VM's cec-follower (and a real TV) still says "on" just after
 * <Standby>: within the backend's settle time that is not a failure. */
static void a_tv_slow_to_sleep_should_be_asked_again(void) {
    struct fake f = {.lie = -1, .level = true};
    struct panel_backend b = fake_backend("cec", &f);
    b.settle_ms = 2000;
    struct panel *p = panel_new(&b, 1);
    f.lag = 2;
    panel_update(p, false, false, 10);
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(panel_state_name(r.state), "standby");
    CHECK_INT(f.gets, 3);
    /* One that never sleeps is asked until the settle time is up, then failed. */
    f.lie = 1;
    panel_update(p, true, false, 20);
    f.gets = 0;
    panel_update(p, false, false, 30);
    panel_get_report(p, &r);
    CHECK_STR(panel_state_name(r.state), "failed");
    CHECK_INT(f.gets, 5);
    panel_free(p);
}

static void without_a_method_the_screen_should_be_black(void) {
    struct panel *p = panel_new(NULL, 0);
    CHECK(!panel_update(p, false, false, 10));
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(r.method, "none");
    CHECK_STR(panel_state_name(r.state), "black");
    CHECK(panel_update(p, true, false, 20));
    panel_get_report(p, &r);
    CHECK_STR(panel_state_name(r.state), "on");
    panel_free(p);
}

static void the_override_should_last_until_the_schedule_changes(void) {
    struct fake f = {.lie = -1};
    struct panel_backend b = fake_backend("cec", &f);
    struct panel *p = panel_new(&b, 1);
    CHECK(!panel_update(p, false, false, 10)); /* night */
    panel_override(p, 1);                      /* IT works on the screen */
    CHECK(panel_update(p, false, false, 11));
    CHECK(f.level);
    for (int i = 0; i < 10; i++) CHECK(panel_update(p, false, false, 12 + i));
    CHECK_INT(f.calls, 2);
    CHECK(panel_update(p, true, false, 100)); /* morning: the override ends */
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_INT(r.override, -1);
    CHECK(!panel_update(p, false, false, 200)); /* evening: off as scheduled */
    CHECK(!f.level);
    /* Off by day, then back to the schedule at once. */
    CHECK(panel_update(p, true, false, 300));
    panel_override(p, 0);
    CHECK(!panel_update(p, true, false, 301));
    CHECK(!f.level);
    panel_override(p, -1);
    CHECK(panel_update(p, true, false, 302));
    CHECK(f.level);
    /* An alert wins over an "off" override. */
    panel_override(p, 0);
    CHECK(panel_update(p, true, true, 303));
    panel_free(p);
}

static void the_request_file_should_be_taken_once(void) {
    char dir[] = "/tmp/test-panel-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/%s", dir, PANEL_REQUEST_FILE);
    struct panel *p = panel_new(NULL, 0);
    CHECK(!panel_take_request(p, dir)); /* none */
    FILE *f = fopen(path, "w");
    fputs("on\n", f);
    fclose(f);
    CHECK(panel_take_request(p, dir));
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_INT(r.override, 1);
    CHECK(access(path, F_OK) != 0); /* removed */
    f = fopen(path, "w");
    fputs("maybe", f);
    fclose(f);
    CHECK(!panel_take_request(p, dir));
    panel_get_report(p, &r);
    CHECK_INT(r.override, 1);
    f = fopen(path, "w");
    fputs("auto", f);
    fclose(f);
    CHECK(panel_take_request(p, dir));
    panel_get_report(p, &r);
    CHECK_INT(r.override, -1);
    panel_free(p);
    rmdir(dir);
}

static void the_state_should_be_said_in_words(void) {
    char buf[256];
    status_panel_words("standby", "cec", "none", false, buf, sizeof buf);
    CHECK_STR(buf, "待機中 (standby, cec)、表示時間外 (outside display hours)");
    status_panel_words("on", "dpms-kms", "on", true, buf, sizeof buf);
    CHECK_STR(buf, "オン (on, dpms-kms)、保守のためオン (IT override: on)");
    status_panel_words("no answer", "cec", "none", true, buf, sizeof buf);
    CHECK_STR(buf, "テレビが応答しません (no answer, cec)");
}

static void opening_with_nothing_should_give_a_black_screen(void) {
    /* No window, no CEC device at this path: the panel is drawn black. */
    struct panel *p = panel_open(PANEL_POWER_AUTO, "/dev/cec-that-does-not-exist", NULL, -1);
    CHECK(!panel_update(p, false, false, 1));
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(r.method, "none");
    CHECK_STR(panel_state_name(r.state), "black");
    panel_free(p);
}


/* --- the panel worker: a method that blocks (CEC waits up to ~1.5 s for
 * the TV) never holds up the display loop ----------------------------- */

/* Blocks as CEC_TRANSMIT does while the TV thinks: in poll() on a pipe,
 * until the test writes a byte (the TV's answer) or wait_ms pass. */
struct slow_tv {
    int pipe[2];
    int wait_ms;
    int calls;
    bool level;
};

static int slow_set(void *ctx, bool on, char *why, size_t size) {
    struct slow_tv *t = ctx;
    t->calls++;
    struct pollfd pf = {t->pipe[0], POLLIN, 0};
    if (poll(&pf, 1, t->wait_ms) != 1) {
        snprintf(why, size, "slow: no reply from the TV");
        return 1;
    }
    char c;
    if (read(t->pipe[0], &c, 1) != 1) return -1;
    t->level = on;
    return 0;
}

static void count_wake(void *ctx) { atomic_fetch_add((atomic_int *)ctx, 1); }

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The display loop's turns, one every 10 ms for up to ms: panel_update as
 * loop_update calls it. Returns the longest turn; stops early once the
 * panel reports state `until` (when not NULL), after answer_at ms the TV
 * answers (a byte down t's pipe; -1: never). */
static uint64_t turns(struct panel *p, bool on, struct slow_tv *t, int answer_at, const char *until,
                      int ms) {
    uint64_t start = now_ms(), longest = 0;
    bool answered = false;
    while (now_ms() - start < (uint64_t)ms) {
        uint64_t t0 = now_ms();
        panel_update(p, on, false, (time_t)(t0 / 1000));
        uint64_t took = now_ms() - t0;
        if (took > longest) longest = took;
        if (!answered && answer_at >= 0 && now_ms() - start >= (uint64_t)answer_at) {
            CHECK(write(t->pipe[1], "y", 1) == 1);
            answered = true;
        }
        struct panel_report r;
        panel_get_report(p, &r);
        if (until && !strcmp(panel_state_name(r.state), until)) break;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return longest;
}

static void a_slow_tv_should_not_hold_up_the_display_loop(void) {
    struct slow_tv t = {.wait_ms = 1500};
    CHECK(pipe(t.pipe) == 0);
    struct panel_backend b = {"cec", slow_set, NULL, NULL, &t, .main_thread = false};
    struct panel *p = panel_new(&b, 1);
    atomic_int woken = 0;
    panel_set_wake(p, count_wake, &woken);
    /* The first turn asks for the panel on: it returns at once, and the
     * panel says it is switching (so do the metrics). */
    uint64_t t0 = now_ms();
    CHECK(panel_update(p, true, false, 100));
    uint64_t took = now_ms() - t0;
    fprintf(stderr, "  the first turn (a switch on asked for) took %llu ms\n", (unsigned long long)took);
    CHECK(took < 100);
    struct panel_report r0;
    panel_get_report(p, &r0);
    CHECK_STR(panel_state_name(r0.state), "switching");
    struct metrics_snapshot ms;
    metrics_snapshot(&ms);
    CHECK_STR(ms.panel_state, "switching");
    /* The TV answers after 300 ms; meanwhile every turn is short, and the
     * state arrives later. */
    uint64_t longest = turns(p, true, &t, 300, "on", 3000);
    fprintf(stderr, "  the longest turn while the TV thought: %llu ms\n", (unsigned long long)longest);
    CHECK(longest < 100);
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(panel_state_name(r.state), "on");
    CHECK(t.level);
    CHECK_INT(t.calls, 1);
    CHECK_INT(atomic_load(&woken), 1); /* the loop was told the answer is there */
    metrics_snapshot(&ms);
    CHECK_STR(ms.panel_state, "on");
    panel_free(p);
    close(t.pipe[0]);
    close(t.pipe[1]);
}

static void a_hung_adapter_should_give_way_to_the_next_method(void) {
    struct slow_tv t = {.wait_ms = 20000}; /* answers only when the test ends */
    CHECK(pipe(t.pipe) == 0);
    struct fake dpms = {.lie = -1};
    struct panel_backend b[2] = {{"cec", slow_set, NULL, NULL, &t, .main_thread = false},
                                 fake_backend("dpms-kms", &dpms)};
    struct panel *p = panel_new(b, 2);
    panel_set_patience(p, 300);
    CHECK(panel_update(p, true, false, 10));
    dpms.level = true;
    /* The loop is told when to look again (it may otherwise sleep an hour). */
    CHECK(panel_wait_ms(p) >= 0 && panel_wait_ms(p) <= 300);
    /* Evening: CEC hangs; after its patience DPMS puts the panel to sleep,
     * and no turn of the loop waited for either. */
    uint64_t longest = turns(p, false, &t, -1, "standby", 3000);
    fprintf(stderr, "  the longest turn while the adapter hung: %llu ms\n", (unsigned long long)longest);
    CHECK(longest < 100);
    CHECK(!dpms.level);
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(panel_state_name(r.state), "standby");
    CHECK_STR(r.method, "dpms-kms");
    CHECK(panel_wait_ms(p) < 0);
    /* Morning: the adapter still hangs; DPMS wakes the panel at once. */
    CHECK(panel_update(p, true, false, 20));
    CHECK(dpms.level);
    panel_get_report(p, &r);
    CHECK_STR(panel_state_name(r.state), "on");
    CHECK_INT(t.calls, 1); /* the start's "on", which never returned: nothing more was given */
    CHECK(write(t.pipe[1], "y", 1) == 1); /* the adapter returns at last */
    panel_free(p);
    close(t.pipe[0]);
    close(t.pipe[1]);
}

static void a_change_while_the_tv_thinks_should_win(void) {
    struct slow_tv t = {.wait_ms = 2000};
    CHECK(pipe(t.pipe) == 0);
    struct panel_backend b = {"cec", slow_set, NULL, NULL, &t, .main_thread = false};
    struct panel *p = panel_new(&b, 1);
    CHECK(!panel_update(p, false, false, 10)); /* evening: standby asked for */
    CHECK(panel_update(p, true, false, 11));   /* the hours begin before the TV answered */
    /* The TV answers the standby, then the "on" that replaced it. */
    CHECK(write(t.pipe[1], "yy", 2) == 2);
    turns(p, true, &t, -1, "on", 3000);
    struct panel_report r;
    panel_get_report(p, &r);
    CHECK_STR(panel_state_name(r.state), "on");
    CHECK(t.level);
    CHECK_INT(t.calls, 2);
    panel_free(p);
    close(t.pipe[0]);
    close(t.pipe[1]);
}

/* SIGTERM while a TV is slow to sleep (read back every 500 ms for up to
 * 4 s, on the worker): the player's stop does not wait it out. */
static void a_stop_should_not_wait_for_a_tv_to_settle(void) {
    struct fake f = {.lie = 1}; /* says "on" whatever it was asked */
    struct panel_backend b = {"cec", fake_set, fake_get, NULL, &f, 4000, .main_thread = false};
    struct panel *p = panel_new(&b, 1);
    CHECK(!panel_update(p, false, false, 10));
    struct timespec pause = {0, 200 * 1000 * 1000};
    nanosleep(&pause, NULL); /* the worker is reading it back */
    uint64_t t0 = now_ms();
    panel_free(p);
    uint64_t took = now_ms() - t0;
    fprintf(stderr, "  panel_free during the settle took %llu ms\n", (unsigned long long)took);
    CHECK(took < 1500);
    CHECK(f.gets >= 1 && f.gets < 8);
}

/* --panel reads the player's pid and panel back through status.c, the one
 * place that knows the file's schema. */
static void the_status_file_should_be_read_back_through_status_c(void) {
    char dir[] = "/tmp/test-panel-status-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    struct status_panel_view v;
    CHECK(!status_read_panel(dir, &v)); /* no file */
    struct status_report r = {.version = "t", .feed_url = "", .result = "not yet", .error = "",
                              .source = "embedded", .etag = "", .slide = "off", .media_dir = "",
                              .last_import = "", .pid = 4242, .has_panel = true, .panel_method = "cec",
                              .panel_state = "switching", .panel_override = "on",
                              .panel_detail = "cec: no reply", .panel_wanted_on = true};
    CHECK_INT(status_write(dir, &r), 0);
    CHECK(status_read_panel(dir, &v));
    CHECK_INT(v.pid, 4242);
    CHECK(v.has_panel);
    CHECK_STR(v.method, "cec");
    CHECK_STR(v.state, "switching");
    CHECK_STR(v.override, "on");
    CHECK_STR(v.detail, "cec: no reply");
    CHECK(v.wanted_on);
    char buf[256];
    status_panel_words(v.state, v.method, v.override, v.wanted_on, buf, sizeof buf);
    CHECK_STR(buf, "切り替え中 (switching, cec)、保守のためオン (IT override: on)");
    char path[96];
    snprintf(path, sizeof path, "%s/%s", dir, STATUS_FILE);
    FILE *f = fopen(path, "w");
    fputs("[1, 2]", f); /* not an object */
    fclose(f);
    CHECK(!status_read_panel(dir, &v));
    unlink(path);
    rmdir(dir);
}

int main(void) {
    RUN(cec_standby_should_match_the_kernels_helper);
    RUN(cec_wake_messages_should_match_the_kernels_helpers);
    RUN(power_status_reply_should_be_read);
    RUN(panel_should_switch_only_when_the_schedule_changes);
    RUN(a_tv_that_does_not_answer_should_be_reported_once_not_retried);
    RUN(the_next_method_should_be_tried_when_the_first_fails);
    RUN(waking_should_tell_every_method);
    RUN(a_panel_that_stays_on_should_be_a_failure);
    RUN(a_tv_slow_to_sleep_should_be_asked_again);
    RUN(without_a_method_the_screen_should_be_black);
    RUN(the_override_should_last_until_the_schedule_changes);
    RUN(the_request_file_should_be_taken_once);
    RUN(the_state_should_be_said_in_words);
    RUN(opening_with_nothing_should_give_a_black_screen);
    RUN(a_slow_tv_should_not_hold_up_the_display_loop);
    RUN(a_hung_adapter_should_give_way_to_the_next_method);
    RUN(a_change_while_the_tv_thinks_should_win);
    RUN(a_stop_should_not_wait_for_a_tv_to_settle);
    RUN(the_status_file_should_be_read_back_through_status_c);
    return CHECK_DONE();
}
