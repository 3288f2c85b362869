/* config: the player's settings, from a commented `key = value` file parsed
 * with inih. Every value is bounded and checked; a bad one is reported with
 * file, line and key and the default is kept. */
#ifndef MISATO_CONFIG_H
#define MISATO_CONFIG_H

#include <limits.h>
#include <stdbool.h>

#include "deck.h"

#define CONFIG_DEFAULT_PATH "/etc/misato-signage/signage.conf"

#define CONFIG_MAX_USB_ROOTS 4

/* Drop-ins read from <config>.d/ (/etc/misato-signage/signage.conf.d/). */
#define CONFIG_MAX_DROP_INS 64

enum config_transition { CONFIG_TRANSITION_NONE, CONFIG_TRANSITION_CROSSFADE, CONFIG_TRANSITION_PUSH };
/* How frames reach the screen (display.c chooses for auto). */
enum config_renderer { CONFIG_RENDERER_AUTO, CONFIG_RENDERER_GPU, CONFIG_RENDERER_SOFTWARE };

/* How the panel is switched outside display hours (panel.h). */
enum panel_power { PANEL_POWER_AUTO, PANEL_POWER_CEC, PANEL_POWER_DPMS, PANEL_POWER_NONE };

struct config {
    char feed_url[1024];   /* empty: the embedded default plan only */
    int poll_seconds;      /* seconds between fetches, +/-20% (after failures: updater_backoff) */
    bool allow_http;       /* plain http:// feed URLs allowed (https always are) */
    char ca_file[PATH_MAX];/* extra CA bundle for a town's own server; empty: system CAs */
    int fetch_timeout;     /* seconds one feed fetch may take in all (a picture download: twice that) */
    int slide_seconds;     /* how long a slide stays unless its item says (announcements, roadmap: 1.5x) */
    int transition;        /* enum config_transition */
    int transition_ms;     /* how long a transition takes */
    int renderer;          /* enum config_renderer */
    bool image_fill;       /* image slides fill the screen (cropping) rather than fit */
    char cache_dir[PATH_MAX];
    char state_dir[PATH_MAX];
    char media_dir[PATH_MAX];
    char town_name[128];   /* UTF-8, shown in the header */
    char font[PATH_MAX];   /* fontconfig family name, or a font file path */
    char timezone[64];     /* IANA name; the lobby is in Japan whatever the OS says */
    struct deck_hours hours; /* when the screen is on */
    /* USB import (see media.h): where sticks are mounted, the SHA-256 of
     * IT's signage/import.key (empty: import off), replace or add. */
    char usb_roots[CONFIG_MAX_USB_ROOTS][PATH_MAX];
    int n_usb_roots;
    char usb_key_sha256[65];
    bool usb_add;          /* default mode: add to the set rather than replace it */
    /* The panel outside display hours and the fleet's metrics (#17). */
    int panel_power;       /* enum panel_power (panel.h) */
    char cec_device[64];   /* empty: the first /dev/cecN with an HDMI sink */
    char metrics_file[PATH_MAX]; /* empty: state_dir/misato-signage.prom; "none": off */
    int metrics_seconds;   /* how often the metrics file is rewritten */
};

enum config_status {
    CONFIG_OK = 0,          /* read, no problems */
    CONFIG_PROBLEMS,        /* read, some keys ignored (reported) */
    CONFIG_ERR_OPEN,        /* file could not be opened */
};

/* Fills *cfg with the built-in defaults. Directories follow systemd's
 * CACHE_DIRECTORY/STATE_DIRECTORY when set (the service), else the XDG
 * folders of the user: a run outside the service, even as root, never
 * writes the service's /var/lib/misato-signage. */
void config_defaults(struct config *cfg);

/* The same for the tools that look at the running service (--status,
 * --import): outside systemd, on a machine with the package, the service's
 * folders (/var/lib/misato-signage, /var/cache/misato-signage). */
void config_defaults_service(struct config *cfg);

/* Reads `path` over the values already in *cfg, then the drop-ins
 * `path`.d/NAME.conf in name order (a later one wins; holidays add up). A
 * comment may follow a value after a space or a tab (`# ...` or `; ...`).
 * Each problem is logged as "file:line: key: reason" and counted in
 * *problems (may be NULL). */
enum config_status config_load(const char *path, struct config *cfg, int *problems);

/* Applies one key = value pair; returns NULL when accepted, else a static
 * English reason. Exposed for tests and for command-line overrides. */
const char *config_set(struct config *cfg, const char *key, const char *value);

#endif
