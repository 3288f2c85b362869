/* clock: whether the system clock can be believed. A Raspberry Pi has no
 * clock battery: until NTP answers it boots in 1970, and nothing may expire
 * or be scheduled by such a time. */
#ifndef MISATO_CLOCK_H
#define MISATO_CLOCK_H

#include <stdbool.h>
#include <time.h>

/* True when t is a plausible wall-clock time (after this code was written);
 * a Pi without a clock battery boots in 1970 until NTP answers. */
bool clock_plausible(time_t t);

#endif
