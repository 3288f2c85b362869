# Turns a file into a C array: cmake -DINPUT=f -DOUTPUT=f.c -DSYMBOL=name -P embed.cmake
# The array is NUL-terminated (not counted in the length) so it can be parsed in place.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hexlen)
math(EXPR len "${hexlen} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE "${OUTPUT}.tmp" "/* Generated from ${INPUT}: do not edit. */\n#include <stddef.h>\n"
  "const unsigned char ${SYMBOL}[] = {\n${body}0x00};\n"
  "const size_t ${SYMBOL}_len = ${len};\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
