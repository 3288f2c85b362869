/* Fuzz target for the status file reader (--status, which IT runs and which
 * reads state_dir/status.json, a file any process of the service user could
 * have written): any bytes as status.json, printed in words. */
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "fuzz_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char conf[256];
    if (conf[0] == '\0') {
        char line[200];
        int n = snprintf(line, sizeof line, "state_dir = %s\ncache_dir = %s\n", fuzz_tmp(), fuzz_tmp());
        snprintf(conf, sizeof conf, "%s", fuzz_write("status.conf", (const uint8_t *)line, (size_t)n));
        if (freopen("/dev/null", "w", stdout) == NULL) abort(); /* the words go nowhere */
    }
    fuzz_write("status.json", data, size);
    app_status(conf);
    return 0;
}

#include "fuzz_replay.h"
