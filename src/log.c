/* log: formatted lines to stderr with journald priorities. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static enum log_level max_level = LOG_INFO;
/* Decided once, before any thread can log (pthread_once: also for the
 * programs that never call log_init_from_env, like the unit tests). */
static bool journal_prefix;
static pthread_once_t journal_once = PTHREAD_ONCE_INIT;
static void decide_journal(void) { journal_prefix = getenv("JOURNAL_STREAM") != NULL; }

void log_set_level(enum log_level level) { max_level = level; }

void log_init_from_env(void) {
    pthread_once(&journal_once, decide_journal);
    const char *v = getenv("MISATO_LOG_LEVEL");
    if (v == NULL) return;
    if (strcasecmp(v, "debug") == 0) max_level = LOG_DEBUG;
    else if (strcasecmp(v, "info") == 0) max_level = LOG_INFO;
    else if (strcasecmp(v, "warn") == 0) max_level = LOG_WARN;
    else if (strcasecmp(v, "error") == 0) max_level = LOG_ERROR;
}

static const char *level_name(enum log_level level) {
    switch (level) {
    case LOG_ERROR: return "error";
    case LOG_WARN: return "warn";
    case LOG_INFO: return "info";
    case LOG_DEBUG: return "debug";
    }
    return "?";
}

void log_write(enum log_level level, const char *file, int line, const char *fmt, ...) {
    if (level > max_level) return;
    pthread_once(&journal_once, decide_journal);

    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char out[1200];
    if (journal_prefix) {
        /* journald adds its own timestamp. */
        snprintf(out, sizeof out, "<%d>%s: %s (%s:%d)\n", (int)level, level_name(level), msg,
                 base, line);
    } else {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        localtime_r(&ts.tv_sec, &tm);
        snprintf(out, sizeof out, "%02d:%02d:%02d.%03ld misato-signage %s: %s (%s:%d)\n",
                 tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L, level_name(level), msg,
                 base, line);
    }
    fputs(out, stderr);
}
