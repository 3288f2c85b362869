/* fuzz_files: what the file-based fuzz targets share: a private temporary
 * folder made once (removed at exit) and a helper that writes the input
 * there, so each target runs the real code that reads the file. */
#ifndef MISATO_FUZZ_FILES_H
#define MISATO_FUZZ_FILES_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "log.h"

static char fuzz_dir[64];

static void fuzz_dir_remove(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", fuzz_dir);
}

/* The folder, made on first use. */
static const char *fuzz_tmp(void) {
    if (fuzz_dir[0] == '\0') {
        snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/misato-fuzz-XXXXXX");
        if (mkdtemp(fuzz_dir) == NULL) abort();
        atexit(fuzz_dir_remove);
        log_set_level(LOG_ERROR); /* the targets' refusals are expected, not news */
    }
    return fuzz_dir;
}

/* Writes data as <fuzz_tmp>/<rel> (its folder must exist); returns the path. */
static const char *fuzz_write(const char *rel, const uint8_t *data, size_t size) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", fuzz_tmp(), rel);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || file_write_all(fd, data, size) != 0) abort();
    close(fd);
    return path;
}

#endif
