/* Fuzz target for the settings file (IT's signage.conf and its drop-ins):
 * any bytes as the file, through config_load (libinih, the line counter,
 * every key's checks). A result always holds bounded, valid settings. */
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "fuzz_files.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *path = fuzz_write("signage.conf", data, size);
    struct config cfg;
    config_defaults(&cfg);
    int problems = 0;
    config_load(path, &cfg, &problems);
    if (problems < 0) abort();
    if (cfg.slide_seconds < 3 || cfg.slide_seconds > 600) abort();
    if (!utf8_valid(cfg.town_name, strlen(cfg.town_name))) abort();
    return 0;
}

#include "fuzz_replay.h"
