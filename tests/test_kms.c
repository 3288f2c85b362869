/* kms.c's pure part (the damaged rectangles as DRM clips) and how it says
 * why it cannot open a device. The dumb buffer itself is tested where there
 * is a KMS device: the device VM (tests/device, virtio-gpu). */
#include <stdlib.h>
#include <string.h>

#include <xf86drm.h>

#include "check.h"
#include "kms.h"

static void clips_should_be_the_rects_clipped_to_the_screen(void) {
    SDL_Rect r[] = {{0, 0, 1280, 76}, {-10, 700, 50, 200}, {1200, 780, 200, 50}};
    struct drm_clip_rect c[8];
    CHECK_INT(kms_clips(r, 3, 1280, 800, c, 8), 3);
    CHECK(c[0].x1 == 0 && c[0].y1 == 0 && c[0].x2 == 1280 && c[0].y2 == 76);
    CHECK(c[1].x1 == 0 && c[1].y1 == 700 && c[1].x2 == 40 && c[1].y2 == 800);
    CHECK(c[2].x1 == 1200 && c[2].y1 == 780 && c[2].x2 == 1280 && c[2].y2 == 800);
}

static void clips_should_leave_out_what_is_empty_or_off_screen(void) {
    SDL_Rect r[] = {{10, 10, 0, 5}, {2000, 0, 10, 10}, {0, -50, 10, 50}, {5, 5, 1, 1}};
    struct drm_clip_rect c[8];
    CHECK_INT(kms_clips(r, 4, 1280, 800, c, 8), 1);
    CHECK(c[0].x1 == 5 && c[0].y1 == 5 && c[0].x2 == 6 && c[0].y2 == 6);
    CHECK_INT(kms_clips(r, 0, 1280, 800, c, 8), 0);
}

static void too_many_clips_should_become_their_bounding_box(void) {
    SDL_Rect r[5];
    for (int i = 0; i < 5; i++) r[i] = (SDL_Rect){i * 100, i * 50, 10, 10};
    struct drm_clip_rect c[4];
    CHECK_INT(kms_clips(r, 5, 1280, 800, c, 4), 1);
    CHECK(c[0].x1 == 0 && c[0].y1 == 0 && c[0].x2 == 410 && c[0].y2 == 210);
}

static void a_device_that_is_not_kms_should_be_refused_with_why(void) {
    char why[256] = "";
    setenv("MISATO_KMS_DEVICE", "/dev/null", 1);
    CHECK(kms_open(why, sizeof why) == NULL);
    CHECK(strstr(why, "/dev/null") != NULL);
    setenv("MISATO_KMS_DEVICE", "/dev/dri/card-that-does-not-exist", 1);
    CHECK(kms_open(why, sizeof why) == NULL);
    CHECK(strstr(why, "No such file") != NULL);
    unsetenv("MISATO_KMS_DEVICE");
}

int main(void) {
    RUN(clips_should_be_the_rects_clipped_to_the_screen);
    RUN(clips_should_leave_out_what_is_empty_or_off_screen);
    RUN(too_many_clips_should_become_their_bounding_box);
    RUN(a_device_that_is_not_kms_should_be_refused_with_why);
    return CHECK_DONE();
}
