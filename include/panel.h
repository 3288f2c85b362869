/* panel: the screen's power. Outside display hours the panel goes to
 * standby, really off rather than lit black all night, and it comes back at
 * the next start, through the first method that works of HDMI-CEC (the
 * kernel's CEC API, /dev/cecN), DPMS of the KMS connector (libdrm on SDL's
 * DRM fd), DPMS through the X server, or none (a black screen). A TV that
 * does not answer is reported once and not retried until the next change.
 * IT can override the schedule for maintenance (misato-signage --panel).
 * The panel object is the main thread's: the methods that use SDL's display
 * (KMS, X11; an ioctl or a round trip to the local X server) run there, in
 * panel_update; CEC, whose transmit waits up to ~1.5 s for the TV's answer,
 * runs on a small panel worker thread, so the display loop never waits for
 * the TV. */
#ifndef MISATO_PANEL_H
#define MISATO_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config.h" /* enum panel_power: the configured method */

/* What the panel is known to be doing. */
enum panel_state {
    PANEL_UNKNOWN,   /* nothing sent yet */
    PANEL_ON,        /* on, as asked (read back where the method can) */
    PANEL_STANDBY,   /* off, as asked */
    PANEL_NO_ANSWER, /* the TV did not answer (CEC NACK / no reply): not retried */
    PANEL_FAILED,    /* the method refused (an ioctl or X error): not retried */
    PANEL_BLACK,     /* method none: the screen is drawn black */
    PANEL_SWITCHING, /* asked for on or standby; the method has not answered yet */
};
const char *panel_state_name(enum panel_state s);

/* IT's override file in state_dir, written by --panel and read on SIGUSR2. */
#define PANEL_REQUEST_FILE "panel-request"

/* One way of switching the panel. set returns 0, or 1 when the device did
 * not answer, or -1 when it refused; *why gets a line for the log. get
 * returns 1 on, 0 off, -1 unknown (may be NULL). set and get run on the
 * panel worker, where they may block (CEC), unless main_thread is set (they
 * use SDL's display, and are quick). */
struct panel_backend {
    const char *name; /* "cec", "dpms-kms", "dpms-x11" */
    int (*set)(void *ctx, bool on, char *why, size_t why_size);
    int (*get)(void *ctx);
    void (*close)(void *ctx);
    void *ctx;
    /* How long the device may keep saying the old state after a change
     * (a TV answers "on" for a moment after <Standby>); 0: at once. */
    unsigned settle_ms;
    bool main_thread;
};

/* How long a method on the worker may take before the next method is tried
 * and the panel is reported failed (a CEC exchange takes at most ~1.5 s),
 * plus 3 x its settle_ms (a read back every 500 ms, each up to 1 s): 17 s
 * for CEC. */
#define PANEL_PATIENCE_MS 5000

struct panel;

/* Opens the methods the setting allows, in order, that this machine has:
 * CEC on cec_device (empty: the first of /dev/cec0..3 with a connected
 * HDMI sink), DPMS on the KMS connector or the X server of sdl_window (an
 * SDL_Window *, may be NULL), or with no window on the KMS device drm_fd
 * (the display's own dumb buffer, kms.h; -1: none). With none available the
 * panel is drawn black. Logs what it found. Never returns NULL. */
struct panel *panel_open(enum panel_power power, const char *cec_device, void *sdl_window, int drm_fd);

/* For tests: a panel over the given backends (copied; tried in order). */
struct panel *panel_new(const struct panel_backend *backends, size_t n);

/* Called on the worker thread when a method's answer is ready for the main
 * thread (the player posts an SDL event, so the loop takes a turn). */
void panel_set_wake(struct panel *p, void (*wake)(void *ctx), void *ctx);

/* For tests: PANEL_PATIENCE_MS instead. */
void panel_set_patience(struct panel *p, int ms);

/* Milliseconds until panel_update must be called again for the worker's
 * patience to run out (a hung adapter), or -1 when nothing waits. */
int panel_wait_ms(const struct panel *p);

/* Stops the worker (waiting at most 2 s for a method that hangs, which is
 * then left behind) and closes the backends; the panel is left as it is.
 * NULL is a no-op. */
void panel_free(struct panel *p);

/* Once per turn of the display loop: schedule_on is what the display hours
 * say, alert whether an urgent alert wants the screen. Applies IT's
 * override (which lasts until the schedule next changes), switches the
 * panel when what is wanted changed (only then: a failure waits for the
 * next change), and returns whether slides should be drawn. Never waits for
 * the worker: a switch through CEC is handed to it, and its answer taken at
 * a later turn (the state says "switching" meanwhile). */
bool panel_update(struct panel *p, bool schedule_on, bool alert, time_t now);

/* Changes whenever the report changes (a switch began or ended, an
 * override): the status file is then written again. */
unsigned panel_version(const struct panel *p);

/* IT's override: 1 on, 0 off, -1 back to the schedule. */
void panel_override(struct panel *p, int mode);

/* After the first frame: SDL's first KMS mode set turns the connector back
 * on, so a player started outside display hours asks for standby again. */
void panel_after_first_frame(struct panel *p, time_t now);

/* SIGUSR2: reads state_dir/PANEL_REQUEST_FILE ("on", "off" or "auto") and
 * applies it with panel_override; false (logged) when there is none or it
 * says something else. The file is removed once read. */
bool panel_take_request(struct panel *p, const char *state_dir);

/* What the status file, --status and the metrics say. */
struct panel_report {
    const char *method;   /* the backend last used or first available; "none" */
    enum panel_state state;
    bool wanted_on;       /* what the schedule / override / alert want now */
    int override;         /* -1 none, 0 off, 1 on */
    unsigned long errors; /* failed switches since start */
    char detail[160];     /* the last failure, or "" */
    time_t changed_at;    /* when the state last changed (0: never) */
};
void panel_get_report(const struct panel *p, struct panel_report *out);

/* `misato-signage --panel on|off|auto`: asks the running player of this
 * config (its pid from state_dir/status.json) to override the schedule:
 * writes state_dir/PANEL_REQUEST_FILE, sends SIGUSR2, waits up to 10 s for
 * the status file to say it happened and prints the panel's state in words.
 * Returns 0, 1 (no player, no permission, no answer) or 64 (bad mode). */
int panel_command(const char *config_path, const char *mode);

/* --- CEC messages (pure; exposed for the tests) ------------------------ */
enum {
    CEC_OPC_IMAGE_VIEW_ON = 0x04,
    CEC_OPC_STANDBY = 0x36,
    CEC_OPC_ACTIVE_SOURCE = 0x82,
    CEC_OPC_GIVE_POWER_STATUS = 0x8f,
    CEC_OPC_REPORT_POWER_STATUS = 0x90,
};
#define CEC_LA_TV 0
#define CEC_LA_BROADCAST 15
/* Each writes the message's bytes into out (at least 4) and returns its
 * length: from logical address `from`. */
size_t panel_cec_standby(uint8_t out[4], unsigned from);
size_t panel_cec_image_view_on(uint8_t out[4], unsigned from);
size_t panel_cec_active_source(uint8_t out[4], unsigned from, uint16_t phys_addr);
size_t panel_cec_give_power_status(uint8_t out[4], unsigned from);
/* A <Report Power Status> from the TV: 1 on (or going on), 0 standby (or
 * going to standby), -1 not such a message. */
int panel_cec_parse_power_status(const uint8_t *msg, size_t len);

#endif
