/* cmd_import: --import DIR, the pictures of a folder or stick imported by
 * hand into the service's media_dir, with the report printed. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "media_import.h"
#include "util.h"

int app_import(const struct app_options *opt, const char *dir) {
    struct config cfg;
    config_defaults_service(&cfg); /* the service's media_dir */
    struct stat sb;
    const char *cfg_path = opt->config_path;
    if (cfg_path == NULL && stat(CONFIG_DEFAULT_PATH, &sb) == 0) cfg_path = CONFIG_DEFAULT_PATH;
    if (cfg_path && config_load(cfg_path, &cfg, NULL) == CONFIG_ERR_OPEN) return APP_EXIT_ERROR;
    setenv("TZ", cfg.timezone, 1);
    tzset();
    /* A stick's root or its signage/ folder itself. */
    char src[PATH_MAX];
    util_snprintf_cut(src, sizeof src, "%s/signage", dir);
    if (lstat(src, &sb) != 0 || !S_ISDIR(sb.st_mode)) util_snprintf_cut(src, sizeof src, "%s", dir);
    /* Files made by another user (root through sudo) would be left where the
     * service, running as its own user, cannot tidy them. */
    char owner_dir[PATH_MAX];
    util_snprintf_cut(owner_dir, sizeof owner_dir, "%s", cfg.media_dir);
    while (stat(owner_dir, &sb) != 0 && strrchr(owner_dir, '/') && strrchr(owner_dir, '/') != owner_dir)
        *strrchr(owner_dir, '/') = '\0';
    if (stat(owner_dir, &sb) == 0 && sb.st_uid != geteuid()) {
        printf("%s は別のユーザーのものです。そのユーザーで実行してください (例: sudo -u signage misato-signage --import %s)\n"
               "%s belongs to another user: run this as that user.\n",
               owner_dir, dir, owner_dir);
        return APP_EXIT_ERROR;
    }
    struct media_import_options mo = {
        .media_dir = cfg.media_dir,
        .screen_w = opt->width ? opt->width : 1920,
        .screen_h = opt->height ? opt->height : 1080,
        .add = cfg.usb_add,
    };
    struct media_report rep;
    enum media_status st = media_import(src, &mo, &rep);
    char *text = media_report_text(&rep);
    for (char *p = text; *p; p++)
        if (*p != '\r') putchar(*p);
    free(text);
    int rc = media_write_report(src, &rep);
    if (rc) printf("\n%s/%s は書けませんでした (not written): %s\n", src, MEDIA_REPORT_NAME, strerror(rc));
    else printf("\n報告 / report: %s/%s\n", src, MEDIA_REPORT_NAME);
    printf("保存先 / media_dir: %s\n", cfg.media_dir);
    int code = st == MEDIA_ABORTED ? APP_EXIT_UNUSABLE
               : rep.committed && rep.refused == 0 ? APP_EXIT_OK : APP_EXIT_ERROR;
    media_report_clear(&rep);
    return code;
}
