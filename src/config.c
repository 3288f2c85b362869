/* config: defaults, the inih-parsed config file, and value checks. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "log.h"
#include "utf8.h"
#include "util.h"
#include "xalloc.h"

/* One folder's default: systemd's variable for the service; the service's own
 * folder (which systemd made) only for the tools that look at the service
 * (--status, --import) on a machine with the package; else the user's XDG
 * folder. So a root shell's test run never writes the service's files. */
static void dir_default(char *out, size_t size, const char *systemd_var, const char *package_dir,
                        const char *xdg_var, const char *home_rel, const char *leaf,
                        bool service_tools) {
    const char *v = getenv(systemd_var);
    if (v && *v) {
        /* systemd may list several folders separated by ':'; take the first. */
        size_t n = strcspn(v, ":");
        snprintf(out, size, "%.*s", (int)n, v);
        return;
    }
    struct stat sb;
    if (service_tools && stat(CONFIG_DEFAULT_PATH, &sb) == 0 && access(package_dir, R_OK | X_OK) == 0) {
        snprintf(out, size, "%s%s", package_dir, leaf);
        return;
    }
    v = getenv(xdg_var);
    if (v && v[0] == '/') {
        snprintf(out, size, "%s/misato-signage%s", v, leaf);
        return;
    }
    const char *home = getenv("HOME");
    if (home && home[0] == '/') snprintf(out, size, "%s/%s/misato-signage%s", home, home_rel, leaf);
    else snprintf(out, size, "/tmp/misato-signage%s", leaf);
}

static void defaults(struct config *cfg, bool service_tools) {
    memset(cfg, 0, sizeof *cfg);
    cfg->poll_seconds = 60;
    cfg->fetch_timeout = 60;
    cfg->transition = CONFIG_TRANSITION_CROSSFADE;
    cfg->renderer = CONFIG_RENDERER_AUTO;
    cfg->transition_ms = 800;
    cfg->slide_seconds = 12;
    dir_default(cfg->cache_dir, sizeof cfg->cache_dir, "CACHE_DIRECTORY", "/var/cache/misato-signage",
                "XDG_CACHE_HOME", ".cache", "", service_tools);
    dir_default(cfg->state_dir, sizeof cfg->state_dir, "STATE_DIRECTORY", "/var/lib/misato-signage",
                "XDG_STATE_HOME", ".local/state", "", service_tools);
    dir_default(cfg->media_dir, sizeof cfg->media_dir, "STATE_DIRECTORY", "/var/lib/misato-signage",
                "XDG_DATA_HOME", ".local/share", "/media", service_tools);
    if (getenv("STATE_DIRECTORY")) {
        /* Under systemd media live beside the state: <state>/media. */
        size_t n = strlen(cfg->media_dir);
        snprintf(cfg->media_dir + n, sizeof cfg->media_dir - n, "/media");
    }
    snprintf(cfg->town_name, sizeof cfg->town_name, "美郷町");
    snprintf(cfg->font, sizeof cfg->font, "BIZ UDPGothic");
    snprintf(cfg->timezone, sizeof cfg->timezone, "Asia/Tokyo");
    deck_hours_always(&cfg->hours);
    /* Raspberry Pi OS and udisks mount sticks as /media/<user>/<LABEL>. */
    snprintf(cfg->usb_roots[0], sizeof cfg->usb_roots[0], "/media");
    snprintf(cfg->usb_roots[1], sizeof cfg->usb_roots[1], "/run/media");
    cfg->n_usb_roots = 2;
    cfg->panel_power = PANEL_POWER_AUTO;
    cfg->metrics_seconds = 60;
}

void config_defaults(struct config *cfg) { defaults(cfg, false); }

void config_defaults_service(struct config *cfg) { defaults(cfg, true); }

static const char *set_string(char *dst, size_t size, const char *value, bool allow_empty) {
    size_t n = strlen(value);
    if (!allow_empty && n == 0) return "must not be empty";
    if (n >= size) return "too long";
    if (!utf8_valid(value, n)) return "not valid UTF-8";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)value[i] < 0x20) return "contains a control character";
    memcpy(dst, value, n + 1);
    return NULL;
}

/* "/media /run/media": absolute folders, space-separated, replacing the
 * defaults; "none" turns watching off. */
static const char *set_usb_roots(struct config *cfg, const char *v) {
    char buf[CONFIG_MAX_USB_ROOTS * 256];
    if (strlen(v) >= sizeof buf) return "too long";
    strcpy(buf, v);
    char roots[CONFIG_MAX_USB_ROOTS][PATH_MAX];
    int n = 0;
    if (strcmp(v, "none") != 0)
        for (char *save = NULL, *tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
            if (n == CONFIG_MAX_USB_ROOTS) return "at most 4 folders";
            if (tok[0] != '/') return "folders must be absolute paths";
            const char *why = set_string(roots[n], sizeof roots[n], tok, false);
            if (why) return why;
            n++;
        }
    memcpy(cfg->usb_roots, roots, sizeof roots[0] * (size_t)n);
    cfg->n_usb_roots = n;
    return NULL;
}

/* 64 hexadecimal digits (as sha256sum prints them), kept in lower case. */
static const char *set_sha256(char out[65], const char *v) {
    if (strlen(v) != 64) return "must be 64 hexadecimal digits (sha256sum signage/import.key)";
    char tmp[65];
    for (int i = 0; i < 64; i++) {
        char c = v[i];
        if (c >= 'A' && c <= 'F') c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return "must be 64 hexadecimal digits (sha256sum signage/import.key)";
        tmp[i] = c;
    }
    tmp[64] = '\0';
    memcpy(out, tmp, 65);
    return NULL;
}

static const char *set_int(int *dst, const char *value, long min, long max) {
    long v;
    if (!util_parse_long(value, min, max, &v)) {
        static char msg[96];
        snprintf(msg, sizeof msg, "must be a whole number from %ld to %ld", min, max);
        return msg;
    }
    *dst = (int)v;
    return NULL;
}

static const char *set_url(char *dst, size_t size, const char *value) {
    if (strpbrk(value, " \t"))
        return "a URL has no spaces (a comment after the value needs a space before # or ;)";
    if (*value && strncmp(value, "https://", 8) != 0 && strncmp(value, "http://", 7) != 0 &&
        strncmp(value, "file://", 7) != 0)
        return "must start with https://, http:// or file:// (or be empty)";
    return set_string(dst, size, value, true);
}

/* An IANA zone name that exists in the system's tz database. */
static const char *set_timezone(char *dst, size_t size, const char *value) {
    size_t n = strlen(value);
    if (n == 0 || n >= size || strstr(value, "..") || value[0] == '/') return "not a time zone name";
    for (size_t i = 0; i < n; i++) {
        char c = value[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '/' || c == '_' || c == '-' || c == '+'))
            return "not a time zone name";
    }
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", value);
    if (access(path, R_OK) != 0) return "unknown time zone (see /usr/share/zoneinfo)";
    memcpy(dst, value, n + 1);
    return NULL;
}

static const char *set_bool(bool *dst, const char *value) {
    if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") || !strcmp(value, "1")) *dst = true;
    else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") || !strcmp(value, "0"))
        *dst = false;
    else return "must be yes or no";
    return NULL;
}

static const char *set_file(char *dst, size_t size, const char *value) {
    if (*value && access(value, R_OK) != 0) return "no such readable file";
    return set_string(dst, size, value, true);
}

/* "07:30-19:00" (end may be 24:00). */
static const char *set_hours(struct deck_hours *h, const char *v) {
    int a, b, c, d, n = 0;
    if (sscanf(v, "%2d:%2d-%2d:%2d%n", &a, &b, &c, &d, &n) != 4 || v[n] != '\0' || a > 23 || b > 59 ||
        c > 24 || d > 59 || (c == 24 && d != 0) || a * 60 + b >= c * 60 + d)
        return "must look like 07:30-19:00 (start before end)";
    h->start_min = a * 60 + b;
    h->end_min = c * 60 + d;
    return NULL;
}

/* "mon-fri", "mon,wed,fri", "sat-sun"... */
static const char *set_days(struct deck_hours *h, const char *v) {
    static const char *const names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    unsigned mask = 0;
    char buf[128];
    if (strlen(v) >= sizeof buf) return "too long";
    strcpy(buf, v);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        char *dash = strchr(tok, '-');
        int from = -1, to = -1;
        if (dash) *dash = '\0';
        for (int i = 0; i < 7; i++) {
            if (!strcasecmp(tok, names[i])) from = i;
            if (dash && !strcasecmp(dash + 1, names[i])) to = i;
        }
        if (from < 0 || (dash && to < 0)) return "days are mon, tue, wed, thu, fri, sat, sun or ranges like mon-fri";
        if (!dash) to = from;
        for (int i = from;; i = (i + 1) % 7) {
            mask |= 1u << i;
            if (i == to) break;
        }
    }
    if (mask == 0) return "no day given";
    h->days = mask;
    return NULL;
}

/* Dates off, added to those of earlier lines: "2026-12-29, 2026-12-30". */
static const char *add_holidays(struct deck_hours *h, const char *v) {
    char buf[256];
    if (strlen(v) >= sizeof buf) return "too long";
    strcpy(buf, v);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
        int y, m, d, n = 0;
        if (sscanf(tok, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || tok[n] || m < 1 || m > 12 || d < 1 ||
            d > 31 || y < 2000 || y > 2200)
            return "dates must look like 2026-12-29";
        if (h->n_holidays >= DECK_MAX_HOLIDAYS) return "too many dates (128 at most)";
        h->holidays[h->n_holidays++] = y * 10000 + m * 100 + d;
    }
    return NULL;
}

const char *config_set(struct config *cfg, const char *key, const char *value) {
    if (strcmp(key, "feed_url") == 0) return set_url(cfg->feed_url, sizeof cfg->feed_url, value);
    if (strcmp(key, "poll_seconds") == 0) return set_int(&cfg->poll_seconds, value, 10, 86400);
    if (strcmp(key, "allow_http") == 0) return set_bool(&cfg->allow_http, value);
    if (strcmp(key, "ca_file") == 0) return set_file(cfg->ca_file, sizeof cfg->ca_file, value);
    if (strcmp(key, "fetch_timeout") == 0) return set_int(&cfg->fetch_timeout, value, 2, 600);
    if (strcmp(key, "display_hours") == 0) return set_hours(&cfg->hours, value);
    if (strcmp(key, "display_days") == 0) return set_days(&cfg->hours, value);
    if (strcmp(key, "holidays") == 0) return add_holidays(&cfg->hours, value);
    if (strcmp(key, "transition") == 0) {
        if (!strcmp(value, "crossfade")) cfg->transition = CONFIG_TRANSITION_CROSSFADE;
        else if (!strcmp(value, "push")) cfg->transition = CONFIG_TRANSITION_PUSH;
        else if (!strcmp(value, "none")) cfg->transition = CONFIG_TRANSITION_NONE;
        else return "must be crossfade, push or none";
        return NULL;
    }
    if (strcmp(key, "renderer") == 0) {
        if (!strcmp(value, "auto")) cfg->renderer = CONFIG_RENDERER_AUTO;
        else if (!strcmp(value, "gpu")) cfg->renderer = CONFIG_RENDERER_GPU;
        else if (!strcmp(value, "software")) cfg->renderer = CONFIG_RENDERER_SOFTWARE;
        else return "must be auto, gpu or software";
        return NULL;
    }
    if (strcmp(key, "image_fit") == 0) {
        if (!strcmp(value, "fit")) cfg->image_fill = false;
        else if (!strcmp(value, "fill")) cfg->image_fill = true;
        else return "must be fit or fill";
        return NULL;
    }
    if (strcmp(key, "transition_ms") == 0) return set_int(&cfg->transition_ms, value, 100, 5000);
    if (strcmp(key, "slide_seconds") == 0) return set_int(&cfg->slide_seconds, value, 3, 600);
    if (strcmp(key, "cache_dir") == 0)
        return set_string(cfg->cache_dir, sizeof cfg->cache_dir, value, false);
    if (strcmp(key, "state_dir") == 0)
        return set_string(cfg->state_dir, sizeof cfg->state_dir, value, false);
    if (strcmp(key, "media_dir") == 0)
        return set_string(cfg->media_dir, sizeof cfg->media_dir, value, false);
    if (strcmp(key, "usb_roots") == 0) return set_usb_roots(cfg, value);
    if (strcmp(key, "usb_key_sha256") == 0) return set_sha256(cfg->usb_key_sha256, value);
    if (strcmp(key, "usb_import_mode") == 0) {
        if (!strcmp(value, "replace")) cfg->usb_add = false;
        else if (!strcmp(value, "add")) cfg->usb_add = true;
        else return "must be replace or add";
        return NULL;
    }
    if (strcmp(key, "panel_power") == 0) {
        static const char *const names[] = {"auto", "cec", "dpms", "none"};
        for (int i = 0; i < 4; i++)
            if (!strcmp(value, names[i])) return cfg->panel_power = i, NULL;
        return "must be auto, cec, dpms or none";
    }
    if (strcmp(key, "cec_device") == 0) {
        if (value[0] && strncmp(value, "/dev/", 5) != 0) return "must be a device such as /dev/cec0";
        return set_string(cfg->cec_device, sizeof cfg->cec_device, value, true);
    }
    if (strcmp(key, "metrics_file") == 0) {
        if (value[0] && strcmp(value, "none") != 0 && value[0] != '/') return "must be an absolute path or none";
        return set_string(cfg->metrics_file, sizeof cfg->metrics_file, value, true);
    }
    if (strcmp(key, "metrics_seconds") == 0) return set_int(&cfg->metrics_seconds, value, 10, 3600);
    if (strcmp(key, "town_name") == 0)
        return set_string(cfg->town_name, 64, value, false);
    if (strcmp(key, "font") == 0) return set_string(cfg->font, sizeof cfg->font, value, false);
    if (strcmp(key, "timezone") == 0)
        return set_timezone(cfg->timezone, sizeof cfg->timezone, value);
    return "unknown key";
}

/* inih reports no line numbers in Debian's build, so the reader counts them:
 * inih reads one line per call, and a chunk ending in '\n' completes a line.
 * The reader also drops comments after a value: '#' or ';' after a space or
 * a tab, to the end of the line (inih would keep "# ..." in the value). */
struct parse_state {
    FILE *fp;
    const char *path;
    struct config *cfg;
    int line;        /* line of the chunk inih is working on */
    int completed;   /* lines fully read so far */
    int problems;
    bool in_comment; /* the current line's comment goes on past this chunk */
};

static char *counting_reader(char *str, int num, void *stream) {
    struct parse_state *ps = stream;
    char *r = fgets(str, num, ps->fp);
    if (r == NULL) return NULL;
    ps->line = ps->completed + 1;
    size_t n = strlen(r);
    bool ends_line = n > 0 && r[n - 1] == '\n';
    if (ends_line) ps->completed++;
    size_t cut = n;
    if (ps->in_comment) cut = 0;
    else
        for (size_t i = 1; i < n; i++)
            if ((r[i] == '#' || r[i] == ';') && (r[i - 1] == ' ' || r[i - 1] == '\t')) {
                cut = i;
                break;
            }
    if (cut < n) {
        /* inih strips the spaces left before the cut. */
        if (ends_line) {
            r[cut] = '\n';
            r[cut + 1] = '\0';
        } else {
            r[cut] = '\0';
        }
        ps->in_comment = !ends_line;
    } else if (ends_line) {
        ps->in_comment = false;
    }
    return r;
}

static int on_pair(void *user, const char *section, const char *name, const char *value) {
    struct parse_state *ps = user;
    const char *why;
    if (section[0] != '\0') why = "sections are not used; put every key at the top";
    else why = config_set(ps->cfg, name, value);
    if (why) {
        LOG(LOG_WARN, "%s:%d: %s: %s (using the default)", ps->path, ps->line, name, why);
        ps->problems++;
    }
    return 1; /* keep going: report every problem, not just the first */
}

/* One file; returns false when it cannot be opened (logged). */
static bool load_one(const char *path, struct config *cfg, int *problems) {
    struct parse_state ps = {.path = path, .cfg = cfg};
    ps.fp = fopen(path, "re");
    if (ps.fp == NULL) {
        LOG(LOG_ERROR, "%s: cannot open the config file: %s", path, strerror(errno));
        (*problems)++;
        return false;
    }
    ini_allow_multiline = false;
    int err = ini_parse_stream(counting_reader, &ps, on_pair, &ps);
    fclose(ps.fp);
    if (err > 0) {
        /* inih counts the line itself here; syntax errors are lines without '='. */
        LOG(LOG_WARN, "%s:%d: not a `key = value` line (ignored)", path, err);
        ps.problems++;
    }
    *problems += ps.problems;
    return true;
}

static int name_order(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* PATH.d/NAME.conf in byte order of their names (as systemd reads drop-ins):
 * regular files only, no hidden ones, at most CONFIG_MAX_DROP_INS. */
static void load_drop_ins(const char *path, struct config *cfg, int *problems) {
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s.d", path) >= (int)sizeof dir) return;
    DIR *d = opendir(dir);
    if (d == NULL) return; /* no folder: nothing to add */
    char *names[CONFIG_MAX_DROP_INS];
    size_t n = 0;
    bool too_many = false;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0) continue;
        if (n == CONFIG_MAX_DROP_INS) {
            too_many = true;
            break;
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (too_many) {
        LOG(LOG_WARN, "%s: more than %d .conf files; only the first %d in name order are read", dir,
            CONFIG_MAX_DROP_INS, CONFIG_MAX_DROP_INS);
        (*problems)++;
    }
    qsort(names, n, sizeof names[0], name_order);
    for (size_t i = 0; i < n; i++) {
        char file[PATH_MAX];
        struct stat sb;
        if (snprintf(file, sizeof file, "%s/%s", dir, names[i]) < (int)sizeof file &&
            stat(file, &sb) == 0 && S_ISREG(sb.st_mode))
            load_one(file, cfg, problems);
        free(names[i]);
    }
}

enum config_status config_load(const char *path, struct config *cfg, int *problems) {
    int count = 0;
    if (!load_one(path, cfg, &count)) {
        if (problems) *problems = count;
        return CONFIG_ERR_OPEN;
    }
    load_drop_ins(path, cfg, &count);
    if (problems) *problems = count;
    return count ? CONFIG_PROBLEMS : CONFIG_OK;
}
