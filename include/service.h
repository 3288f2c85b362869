/* service: talking to systemd (sd_notify from libsystemd): READY=1 once the
 * first frame is on screen, WATCHDOG=1 from the display loop while it
 * runs, STATUS= lines for `systemctl status`, STOPPING=1 on the way out.
 * Without NOTIFY_SOCKET (not under systemd) every call does nothing. */
#ifndef MISATO_SERVICE_H
#define MISATO_SERVICE_H

#include <stdbool.h>

/* Reads the watchdog settings from the environment (once, at start). */
void service_init(void);

/* Milliseconds between watchdog pings (half of WatchdogSec), or 0 when
 * there is no watchdog. The loop must not sleep longer than this. */
int service_watchdog_ms(void);

/* True when started by systemd with a notify socket (the service). */
bool service_managed(void);

/* Asks systemd for ms more before READY=1 (EXTEND_TIMEOUT_USEC), for a
 * start that waits on something outside the player (the display). */
void service_extend_start(int ms);

void service_ready(const char *status);
/* Pings the watchdog if half its interval has passed since the last ping;
 * call it on every turn of the loop. */
void service_alive(void);
void service_status(const char *status);
void service_stopping(void);

#endif
