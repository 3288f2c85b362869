/* cmd_status: --status, the status file of the player that uses this
 * config (the service's by default), in words for IT. */
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "app.h"
#include "config.h"
#include "status.h"

int app_status(const char *config_path) {
    struct config cfg;
    config_defaults_service(&cfg); /* the service's state_dir */
    struct stat sb;
    if (config_path == NULL && stat(CONFIG_DEFAULT_PATH, &sb) == 0) config_path = CONFIG_DEFAULT_PATH;
    if (config_path) config_load(config_path, &cfg, NULL);
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", cfg.state_dir, STATUS_FILE);
    return status_print(path);
}
