/* main: the command line of misato-signage. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "log.h"
#include "panel.h"
#include "util.h"

/* --help: src/usage.txt, compiled in; the man page is made from the same
 * file (cmake/manpage.sh), so the two always agree. */
extern const unsigned char misato_usage_txt[];
extern const size_t misato_usage_txt_len;

static void usage(FILE *out) { fwrite(misato_usage_txt, 1, misato_usage_txt_len, out); }

static bool parse_size(const char *s, int *w, int *h) {
    char buf[32];
    if (strlen(s) >= sizeof buf) return false;
    strcpy(buf, s);
    char *x = strchr(buf, 'x');
    if (x == NULL) return false;
    *x = '\0';
    long lw, lh;
    if (!util_parse_long(buf, 160, 7680, &lw) || !util_parse_long(x + 1, 160, 7680, &lh))
        return false;
    *w = (int)lw;
    *h = (int)lh;
    return true;
}

/* The signals the player handles are blocked before any other code of the
 * process runs: from the executable's preinit array, which the dynamic
 * loader calls before any shared library's initialisers and before main().
 * A SIGHUP (systemctl reload) or SIGUSR1 (screenshot) in the first moments
 * after a start used to kill the player (their default action) while it
 * was still loading its libraries. The player's signal thread takes them
 * with sigwait(); the one-shot commands let SIGTERM and SIGINT act again. */
static void block_signals_first(void) {
    sigset_t set = app_handled_signals();
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}
__attribute__((used, section(".preinit_array"))) static void (*const preinit_block)(void) =
    block_signals_first;

/* For the commands that run once and exit: Ctrl+C and SIGTERM end them as
 * they would any program (SIGHUP and SIGUSR1 stay blocked: they mean
 * nothing to a command). */
static void unblock_stop_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

int main(int argc, char **argv) {
    log_init_from_env();
    /* The town's time zone from the first log line on; the config may name
     * another one, applied once it is read. */
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    /* A file size limit or a full disk shows as a failed write (EFBIG,
     * ENOSPC) that is handled, not as a signal that kills the player. */
    signal(SIGXFSZ, SIG_IGN);
    enum { OPT_CONFIG = 256, OPT_FEED, OPT_WINDOWED, OPT_SIZE, OPT_RENDER, OPT_AT, OPT_VALIDATE,
           OPT_VERSION, OPT_HELP, OPT_STATUS, OPT_SHEET, OPT_IMPORT, OPT_PANEL };
    static const struct option longopts[] = {
        {"config", required_argument, NULL, OPT_CONFIG},
        {"feed", required_argument, NULL, OPT_FEED},
        {"windowed", no_argument, NULL, OPT_WINDOWED},
        {"size", required_argument, NULL, OPT_SIZE},
        {"render", required_argument, NULL, OPT_RENDER},
        {"at", required_argument, NULL, OPT_AT},
        {"validate", required_argument, NULL, OPT_VALIDATE},
        {"version", no_argument, NULL, OPT_VERSION},
        {"status", no_argument, NULL, OPT_STATUS},
        {"render-sheet", required_argument, NULL, OPT_SHEET},
        {"import", required_argument, NULL, OPT_IMPORT},
        {"panel", required_argument, NULL, OPT_PANEL},
        {"help", no_argument, NULL, OPT_HELP},
        {NULL, 0, NULL, 0},
    };
    struct app_options opt = {0};
    const char *validate = NULL, *import = NULL, *panel = NULL;
    bool status = false;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG: opt.config_path = optarg; break;
        case OPT_FEED:
            if (strstr(optarg, "://")) opt.feed_url = optarg;
            else opt.feed_path = optarg;
            break;
        case OPT_WINDOWED: opt.windowed = true; break;
        case OPT_SIZE:
            if (!parse_size(optarg, &opt.width, &opt.height)) {
                fprintf(stderr, "misato-signage: --size wants WxH, e.g. 1920x1080 (160 to 7680)\n");
                return APP_EXIT_USAGE;
            }
            break;
        case OPT_RENDER: opt.render_dir = optarg; break;
        case OPT_SHEET: opt.sheet_path = optarg; break;
        case OPT_AT: {
            time_t probe;
            if (!util_parse_local_time(optarg, &probe)) {
                fprintf(stderr, "misato-signage: --at wants a local time like 2026-11-24T09:00\n");
                return APP_EXIT_USAGE;
            }
            opt.at = optarg;
            break;
        }
        case OPT_VALIDATE: validate = optarg; break;
        case OPT_STATUS: status = true; break;
        case OPT_IMPORT: import = optarg; break;
        case OPT_PANEL: panel = optarg; break;
        case OPT_VERSION:
            printf("misato-signage %s (commit %s)\n", MISATO_VERSION, MISATO_COMMIT);
            return APP_EXIT_OK;
        case OPT_HELP: usage(stdout); return APP_EXIT_OK;
        default: usage(stderr); return APP_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "misato-signage: unexpected argument: %s\n", argv[optind]);
        usage(stderr);
        return APP_EXIT_USAGE;
    }
    if (validate || status || import || panel || opt.render_dir || opt.sheet_path) unblock_stop_signals();
    if (panel) return panel_command(opt.config_path, panel);
    if (validate) return app_validate(validate, opt.at);
    if (status) return app_status(opt.config_path);
    if (import) return app_import(&opt, import);
    if (opt.render_dir || opt.sheet_path) return app_render(&opt);
    return app_run(&opt);
}
