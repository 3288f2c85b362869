/* kms: the console's screen through a KMS dumb buffer, for a machine with
 * no GPU (a Pi without v3d, a VM's virtio-gpu without virgl). The CPU draws
 * into a shadow surface in ordinary memory; a present copies only the
 * rectangles that changed into the buffer the display scans out, and tells
 * the kernel which (DIRTYFB: virtio-gpu and USB displays send only those).
 * SDL's KMSDRM driver has no such path: its software surface went through a
 * GLES texture that Mesa's llvmpipe composed whole on every frame. Main
 * thread only; the caller holds no SDL video meanwhile (one DRM master). */
#ifndef MISATO_KMS_H
#define MISATO_KMS_H

#include <stdbool.h>

#include <SDL.h>

struct kms;

/* Opens the first /dev/dri/card* with a connected connector, at that
 * connector's preferred mode (or $MISATO_KMS_DEVICE), and shows a black
 * frame. NULL, with why, when there is none or it cannot be set. */
struct kms *kms_open(char *why, size_t why_size);

/* The shadow surface the frames are drawn on (XRGB8888, the mode's size). */
SDL_Surface *kms_surface(const struct kms *k);

/* The mode's refresh rate in Hz, the DRM device's fd (for DPMS), and a
 * line for the log ("virtio_gpu card0, Virtual-1 1280x800@60"). */
int kms_refresh_hz(const struct kms *k);
int kms_fd(const struct kms *k);
const char *kms_describe(const struct kms *k);

/* Copies rects (clipped to the screen) from the shadow to the scan-out
 * buffer and tells the kernel. Returns the pixels copied. */
long kms_present(struct kms *k, const SDL_Rect *rects, int n);

/* Pure part of kms_present, for tests: rects clipped to w x h as DRM clip
 * rectangles (at most max; none empty). Returns how many. */
struct drm_clip_rect;
int kms_clips(const SDL_Rect *rects, int n, int w, int h, struct drm_clip_rect *out, int max);

void kms_close(struct kms *k);

/* Is there a render node that is a GPU? False with none, or only
 * virtio-gpu without 3D (virgl), where Mesa's GL would be llvmpipe. */
bool kms_render_gpu(void);

#endif
