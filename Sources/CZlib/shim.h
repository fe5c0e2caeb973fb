#ifndef QRCERT_CZLIB_SHIM_H
#define QRCERT_CZLIB_SHIM_H
#include <zlib.h>
// deflateInit/inflateInit are macros over the *_ functions: Swift cannot import them.
static inline int qrcert_deflate_init(z_streamp s, int level) { return deflateInit(s, level); }
static inline int qrcert_inflate_init(z_streamp s) { return inflateInit(s); }
#endif
