/* usb: the worker thread that watches for IT's USB stick and for changes to
 * media_dir. A stick counts when a folder <root>/<LABEL>/signage or
 * <root>/<user>/<LABEL>/signage appears under one of the config's
 * usb_roots; it is imported (media_import) only when its signage/import.key
 * hashes to usb_key_sha256, once per insertion. The thread wakes when the
 * mount table changes (poll() on /proc/self/mountinfo) and every 2 s
 * otherwise (a few stat() calls: folders that are not mount points, as in
 * the tests, are seen too). Whenever media_dir changed (an import, --import
 * from a shell, a file put there by hand) it reads the set again and hands
 * it to the main thread, which never waits for it. */
#ifndef MISATO_USB_H
#define MISATO_USB_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct media_set;

typedef void (*usb_notify_fn)(void *ctx);

struct usb_watch;

/* Starts the worker. cfg is copied; pictures are imported for a screen of
 * screen_w x screen_h. media_stamp is media_dir_stamp() of the set the main
 * thread already shows. notify is called on the worker thread after news
 * was put in the mailbox (it must be thread-safe, e.g. SDL_PushEvent).
 * Returns NULL if the thread cannot start. */
struct usb_watch *usb_watch_start(const struct config *cfg, int screen_w, int screen_h,
                                  unsigned long long media_stamp, usb_notify_fn notify, void *ctx);

/* The latest finished import, for the screen and the status file. */
struct usb_news {
    char toast[512];  /* "" when no import finished since the last take */
    bool toast_ok;    /* pictures were taken (else a problem to show) */
    char status[512]; /* one line for the status file */
};

/* Main thread: takes the newest media set (NULL when it has not changed;
 * the caller owns it) and fills *news. */
struct media_set *usb_watch_take(struct usb_watch *w, struct usb_news *news);

/* New settings (SIGHUP): roots, key and mode apply from the next scan
 * (within 2 s); media_dir only after a restart. cfg is copied. */
void usb_watch_reconfigure(struct usb_watch *w, const struct config *cfg);

/* Stops and joins the worker (an import in progress finishes first). NULL
 * is a no-op. */
void usb_watch_stop(struct usb_watch *w);

#endif
