/* service: sd_notify for systemd's Type=notify and WatchdogSec. */
#include "service.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <systemd/sd-daemon.h>

#include "log.h"
#include "util.h"

static uint64_t watchdog_usec; /* 0: no watchdog */
static uint64_t last_ping_ms;

void service_init(void) {
    uint64_t usec = 0;
    /* 0: keep WATCHDOG_USEC for nobody else; the player forks nothing. */
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        watchdog_usec = usec;
        LOG(LOG_INFO, "systemd watchdog: every %llu ms", (unsigned long long)(usec / 2000));
    }
}

int service_watchdog_ms(void) {
    if (watchdog_usec == 0) return 0;
    uint64_t ms = watchdog_usec / 2000;
    return ms < 1 ? 1 : ms > 3600000 ? 3600000 : (int)ms;
}

bool service_managed(void) {
    const char *s = getenv("NOTIFY_SOCKET");
    return s != NULL && s[0] != '\0';
}

void service_extend_start(int ms) { sd_notifyf(0, "EXTEND_TIMEOUT_USEC=%llu", (unsigned long long)ms * 1000ULL); }

void service_ready(const char *status) {
    sd_notifyf(0, "READY=1\nSTATUS=%s", status);
    service_alive();
}

void service_alive(void) {
    if (watchdog_usec == 0) return;
    uint64_t now = util_monotonic_ms();
    /* The loop wakes at least every service_watchdog_ms(); pinging once a
     * quarter of the interval has passed keeps every gap under half of it
     * even when a wake-up comes a little early. */
    if (last_ping_ms && now - last_ping_ms < (uint64_t)service_watchdog_ms() / 2) return;
    last_ping_ms = now;
    sd_notify(0, "WATCHDOG=1");
}

void service_status(const char *status) { sd_notifyf(0, "STATUS=%s", status); }

void service_stopping(void) { sd_notify(0, "STOPPING=1\nSTATUS=stopping"); }
