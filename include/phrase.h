/* phrase: Japanese phrase (文節) boundaries, as Chromium's
 * `word-break: auto-phrase` finds them, with BudouX's Japanese model
 * (third_party/budoux, Apache-2.0) and a parser written for this project.
 * Pure: a function of the text alone. */
#ifndef MISATO_PHRASE_H
#define MISATO_PHRASE_H

#include <stdbool.h>
#include <stddef.h>

/* Marks in at_start[0..len) the bytes of valid UTF-8 text[0..len) that
 * begin a new phrase (true) or continue one (false); at_start[0] is false.
 * Only the starts of code points are ever true. Returns the number of
 * boundaries found. */
size_t phrase_boundaries(const char *text, size_t len, bool *at_start);

#endif
