#!/bin/sh
# CMAKE_STRIP for the package: strips as Debian's dh_strip does (no symbols,
# no .comment or .note sections). MISATO_STRIP in the environment
# names the real strip (aarch64-linux-gnu-strip when cross-building).
exec "${MISATO_STRIP:-strip}" --remove-section=.comment --remove-section=.note --strip-unneeded "$@"
