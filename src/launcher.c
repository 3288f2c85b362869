/* launcher: /usr/bin/misato-signage. Blocks the signals the player handles,
 * then runs the player itself (the same PID, argv and environment).
 *
 * Why: the player links SDL, SDL_image, libcurl and ~100 shared libraries;
 * loading them takes 20 ms on an idle machine and 300 ms on a busy one,
 * and no code of the player's runs before that. A SIGHUP (systemctl
 * reload) or SIGUSR1 (screenshot) in that window killed it, because their
 * default action is to terminate. This program needs only libc, so the
 * window is a few microseconds; the blocked mask and any signal already
 * pending survive execve(), and the player's signal thread takes them.
 * Nothing else happens here. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef MISATO_PLAYER_PATH
#define MISATO_PLAYER_PATH "/usr/libexec/misato-signage/misato-signage"
#endif

int main(int argc, char **argv) {
    (void)argc;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, NULL);

    /* Beside this program in a build tree (player/misato-signage), else the
     * installed one. */
    char self[PATH_MAX], path[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        snprintf(path, sizeof path, "%s/player/misato-signage", dirname(self));
        if (access(path, X_OK) == 0) execv(path, argv);
    }
    execv(MISATO_PLAYER_PATH, argv);
    int e = errno;
    fprintf(stderr, "misato-signage: プレーヤー本体を起動できません / cannot run the player %s: %s\n",
            MISATO_PLAYER_PATH, strerror(e));
    return 1;
}
