/* fuzz_replay: the main() of every fuzz target's replay build. Built with
 * libFuzzer (-DMISATO_FUZZ=ON, clang) a target has libFuzzer's main; built
 * without, it replays the files it is given, as ctest does over the target's
 * corpus in tests/fuzz/<name>/. Include it at the end of a target's file. */
#ifndef MISATO_LIBFUZZER
#include <stdio.h>
#include <stdlib.h>

#include "file.h"

int main(int argc, char **argv) {
    int n = 0;
    if (getenv("FUZZ_SETUP_ONLY")) return 0;
    for (int i = 1; i < argc; i++) {
        char *buf = NULL;
        size_t len = 0;
        if (file_read(AT_FDCWD, argv[i], 8u << 20, 0, &buf, &len, NULL) != FILE_OK) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            return 1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        free(buf);
        n++;
    }
    printf("%d passed, 0 failed\n", n);
    return 0;
}
#endif
