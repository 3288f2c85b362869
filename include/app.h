/* app: the player itself: start-up (config, feed, fonts), the event-driven
 * display loop with its signal handling, and the headless renderer. */
#ifndef MISATO_APP_H
#define MISATO_APP_H

#include <signal.h>
#include <stdbool.h>
#include <time.h>

/* Process exit codes (also in --help and the README). */
enum app_exit {
    APP_EXIT_OK = 0,
    APP_EXIT_ERROR = 1,     /* could not run: no font, cannot write, ... */
    APP_EXIT_UNUSABLE = 2,     /* --validate: the feed cannot be shown */
    APP_EXIT_NO_DISPLAY = 3,   /* no video device to show the slides on */
    APP_EXIT_USAGE = 64,       /* bad command line */
};

struct app_options {
    const char *config_path;  /* NULL: CONFIG_DEFAULT_PATH if it exists */
    const char *feed_path;    /* NULL: the embedded plan */
    const char *feed_url;     /* --feed URL: polled instead of the config's feed_url
                                 (fetched once for --render); http:// allowed */
    bool windowed;
    int width, height;        /* 0: the display's size (or 1920x1080 headless) */
    const char *render_dir;   /* headless: write PNGs here and exit */
    const char *sheet_path;   /* headless: one contact-sheet PNG of the whole deck */
    const char *at;           /* --at "YYYY-MM-DDTHH:MM": local time to run or render
                                 as, read in the configured time zone */
};

/* Shows the slides on the display until SIGTERM/SIGINT. Returns an
 * app_exit code. */
int app_run(const struct app_options *opt);

/* The signals the running player takes on its signal thread (TERM, INT,
 * HUP, USR1): blocked in every thread, from the first instruction on. */
sigset_t app_handled_signals(void);

/* Renders every slide of the deck to render_dir/NN-<slide-id>.png and/or a
 * contact sheet of them all to sheet_path, with the software renderer (no
 * display needed). Returns an app_exit code. */
int app_render(const struct app_options *opt);

/* Imports the pictures of dir (a stick's root with a signage/ folder, or
 * such a folder itself) into the config's media_dir, for a screen of
 * opt->width x opt->height (1920x1080 when 0), as the USB worker does but
 * without the key (whoever runs it already has the machine). Prints the
 * report and writes it into the folder when it can. Returns 0 when every
 * picture was taken, 1 when some were refused or none was there, 2 when the
 * import was stopped and nothing changed. A running player shows the new
 * set within seconds. */
int app_import(const struct app_options *opt, const char *dir);

/* Prints the status file of the player that uses this config, in words.
 * Returns 0, or 1 when there is no readable status file. */
int app_status(const char *config_path);

/* Prints every problem of a feed file and what would be shown at `at`
 * (--at, local time; NULL: now), including what has already ended; returns
 * 0 valid, 1 problems but usable, 2 unusable. */
int app_validate(const char *path, const char *at);

#endif
