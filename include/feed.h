/* feed: parses and validates the staff's JSON feed into an immutable model.
 * Untrusted input: every type is checked, every length and count bounded.
 * A bad item is dropped with a problem that names its JSON path; a body that
 * is unusable as a whole is rejected and the caller keeps its last good feed. */
#ifndef MISATO_FEED_H
#define MISATO_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct arena;

#define FEED_SCHEMA_VERSION 1
#define FEED_MAX_BYTES (1024 * 1024)
#define FEED_MAX_MEASURES 100
/* Fiscal years the model can hold: R1 (FY2019) to R30 (FY2048). */
#define FEED_FY_FIRST 2019
#define FEED_FY_LAST 2048
#define FEED_FY_COUNT (FEED_FY_LAST - FEED_FY_FIRST + 1)

enum feed_field { FEED_FIELD_RESIDENT, FEED_FIELD_ADMIN, FEED_FIELD_COMMUNITY, FEED_FIELD_COUNT };

/* "住民DX", "庁内DX", "地域DX". */
const char *feed_field_name(enum feed_field f);

/* Values by fiscal year; index = fy - FEED_FY_FIRST. */
struct feed_series {
    bool has[FEED_FY_COUNT];
    double value[FEED_FY_COUNT];
};

struct feed_plan_row {
    const char *by_year[FEED_FY_COUNT]; /* NULL where the plan says nothing */
};

/* Every pointer below points into the feed's arena and lives as long as the
 * feed. Optional strings are NULL when absent. */
struct feed_measure {
    const char *id;   /* "1-1" */
    const char *name; /* 施策名称 */
    enum feed_field field;
    const char **departments;
    size_t n_departments;
    const char **description; /* 施策内容, one item each */
    size_t n_description;
    const char **effects; /* 期待される効果 */
    size_t n_effects;
    struct feed_plan_row *plan; /* 年度計画, one row per strand */
    size_t n_plan;
    const char *metric_name; /* "オンライン手続数"; NULL: no numeric metric */
    const char *unit;        /* "件", "%"; "" when the metric has none */
    struct feed_series targets; /* 目標値 */
    struct feed_series actuals; /* 実績値 */
    const char *actual_notes[FEED_FY_COUNT]; /* non-numeric 実績値 ("実施") */
    const char *related;                     /* その他関連事項 */
    bool headline;                           /* shown on the summary slide */
};

/* When an item may be shown. A date-only valid_until means "through that
 * day". Without a plausible clock nothing expires (see clock_plausible). */
struct feed_validity {
    bool has_from, has_until;
    time_t from, until; /* until is exclusive */
    const char *until_text; /* as the feed wrote it, for messages; NULL without until */
};

/* True when now lies within v. */
bool feed_valid_at(const struct feed_validity *v, time_t now);

enum feed_priority { FEED_PRIORITY_LOW, FEED_PRIORITY_NORMAL, FEED_PRIORITY_HIGH };

struct feed_announcement {
    const char *title;
    const char *body;  /* may hold newlines; NULL when absent */
    const char *image; /* id of an entry in media[], or NULL */
    const char *url;   /* shown as a QR code; NULL when absent */
    enum feed_priority priority;
    struct feed_validity valid;
    /* Day-parting: shown only between these minutes of the day (both 0 and
     * 1440 when always) and on these weekdays (bit 0 Sunday). */
    int hours_from, hours_until;
    unsigned days;
    int seconds; /* how long its slide stays; 0: the player's default */
    size_t source_index; /* its position in the feed's array, for messages */
};

struct feed_ticker {
    const char *text;
    struct feed_validity valid;
    size_t source_index; /* its position in the feed's array, for messages */
};

enum feed_alert_level { FEED_ALERT_INFO, FEED_ALERT_WARNING, FEED_ALERT_EMERGENCY };

struct feed_alert {
    bool present;
    enum feed_alert_level level;
    const char *title; /* NULL: a default title for the level */
    const char *text;
    struct feed_validity valid; /* from "until" (and optional "from") */
};

struct feed_media {
    const char *id;     /* [a-z0-9_-]{1,32}, referenced by announcements */
    const char *url;    /* http(s) */
    const char *sha256; /* 64 lowercase hex digits: the file is checked against it */
    const char *caption;
    struct feed_validity valid;
    int seconds; /* how long its image slide stays; 0: the player's default */
    size_t source_index; /* its position in the feed's array */
};

#define FEED_MAX_ANNOUNCEMENTS 50
#define FEED_MAX_TICKER 20
#define FEED_MAX_MEDIA 50

struct feed {
    struct arena *arena; /* owns every string and array below */
    int schema_version;
    bool has_updated_at;
    time_t updated_at;
    const char *publisher;
    const char *plan_title;
    const char *plan_revision;
    int first_fy, last_fy; /* the plan's span, e.g. 2024..2029 */
    struct feed_measure *measures;
    size_t n_measures;
    struct feed_announcement *announcements;
    size_t n_announcements;
    struct feed_ticker *ticker;
    size_t n_ticker;
    struct feed_alert alert;
    struct feed_media *media;
    size_t n_media;
};

/* The media entry with this id, or -1. */
int feed_find_media(const struct feed *feed, const char *id);

/* One problem found in a feed, for staff: where, what to do, and (at the
 * end, in parentheses) what the player leaves out because of it. */
struct feed_problem {
    char path[96]; /* "measures[3].targets.R8", or "12行目 5文字目 (line 12, column 5)" */
    char ja[448];
    char en[320];
};

#define FEED_MAX_PROBLEMS 64

struct feed_report {
    struct feed_problem items[FEED_MAX_PROBLEMS];
    size_t count;   /* stored in items */
    size_t omitted; /* found past FEED_MAX_PROBLEMS */
    /* For a body that cannot be read at all: the line of the syntax error
     * with a caret under the mistake, or how to save a file as UTF-8.
     * Several lines, each ending in '\n'; "" when there is nothing to add. */
    char detail[1024];
};

enum feed_status {
    FEED_OK = 0,          /* valid, nothing dropped */
    FEED_PROBLEMS,        /* usable; some items dropped (see the report) */
    FEED_ERR_TOO_BIG,     /* over FEED_MAX_BYTES */
    FEED_ERR_NOT_UTF8,    /* body is not UTF-8 */
    FEED_ERR_NOT_JSON,    /* body does not parse as JSON */
    FEED_ERR_SCHEMA,      /* not an object, or another schema_version */
    FEED_ERR_EMPTY,       /* nothing usable left */
};

/* Parses json[0..len) (need not be NUL-terminated; it is copied). On
 * FEED_OK/FEED_PROBLEMS *out is a new feed the caller frees with feed_free;
 * otherwise *out is NULL. report may be NULL; it is cleared first. */
enum feed_status feed_parse(const char *json, size_t len, struct feed_report *report,
                            struct feed **out);

/* Parses the plan compiled into the binary (config/default-feed.json). */
enum feed_status feed_parse_default(struct feed_report *report, struct feed **out);

void feed_free(struct feed *feed); /* NULL is a no-op */

/* Adds to report what a feed leaves out at time now though it parsed: an
 * announcement, ticker line, picture or alert whose end has passed. Returns
 * how many it found (0: everything is still to be shown). */
size_t feed_check_expired(const struct feed *feed, time_t now, struct feed_report *report);

/* One line of English for a status ("not JSON", ...). */
const char *feed_status_text(enum feed_status st);

/* The measure with the given id, or NULL. */
const struct feed_measure *feed_find_measure(const struct feed *feed, const char *id);

/* True when the measure has any numeric target or actual. */
bool feed_measure_has_numbers(const struct feed_measure *m);

/* The latest fiscal year with an actual, or 0 if none. */
int feed_latest_actual_fy(const struct feed_measure *m);

static inline bool feed_series_get(const struct feed_series *s, int fy, double *v) {
    if (fy < FEED_FY_FIRST || fy > FEED_FY_LAST || !s->has[fy - FEED_FY_FIRST]) return false;
    if (v) *v = s->value[fy - FEED_FY_FIRST];
    return true;
}

/* Where the feed on screen came from. */
enum feed_source {
    FEED_SOURCE_EMBEDDED, /* the plan compiled into the binary */
    FEED_SOURCE_FILE,     /* --feed FILE */
    FEED_SOURCE_CACHE,    /* the cache's current generation */
    FEED_SOURCE_PREVIOUS, /* the cache's previous generation */
    FEED_SOURCE_NETWORK,  /* fetched in this run */
};

/* "embedded", "file", "cache", "previous", "network" (the status file's words). */
const char *feed_source_name(enum feed_source s);

#endif
