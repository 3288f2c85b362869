/* log: one line per event on stderr, which journald keeps under systemd.
 * Under systemd (JOURNAL_STREAM set) each line carries a "<N>" syslog
 * priority prefix so that journald files it at the right level. */
#ifndef MISATO_LOG_H
#define MISATO_LOG_H

enum log_level { LOG_ERROR = 3, LOG_WARN = 4, LOG_INFO = 6, LOG_DEBUG = 7 };

/* Lines above this level are dropped. Default LOG_INFO; MISATO_LOG_LEVEL=debug
 * in the environment raises it. Not thread-safe to change after start. */
void log_set_level(enum log_level level);
void log_init_from_env(void);

/* Writes one line; safe from any thread (one fputs of a formatted buffer). */
void log_write(enum log_level level, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define LOG(level, ...) log_write((level), __FILE__, __LINE__, __VA_ARGS__)

#endif
