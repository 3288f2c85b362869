/* clock: the plausibility of the system clock. */
#include "clock.h"

/* 2026-01-01T00:00:00Z: no real moment of this player's life is earlier. */
#define PLAUSIBLE_EPOCH 1767225600

bool clock_plausible(time_t t) { return t >= PLAUSIBLE_EPOCH; }
