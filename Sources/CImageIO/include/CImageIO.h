#ifndef QRCERT_CIMAGEIO_H
#define QRCERT_CIMAGEIO_H
// PNG/JPEG in and out for QRCertImage. libpng and libjpeg report errors with setjmp/longjmp,
// which must never cross Swift frames, so every call here catches its own errors and returns
// a status plus a message. Nothing here prints: warning and message hooks are silent.
#include <stddef.h>
#include <stdint.h>

/// Status codes returned by every function below.
enum {
    QRCERT_IMAGEIO_OK = 0,
    QRCERT_IMAGEIO_BAD_DATA = 1,   ///< corrupt or unreadable image
    QRCERT_IMAGEIO_TOO_LARGE = 2,  ///< more pixels than the caller allowed
    QRCERT_IMAGEIO_NO_MEMORY = 3,
    QRCERT_IMAGEIO_BAD_ARGUMENT = 4,
    QRCERT_IMAGEIO_TOO_MANY_SCANS = 5,  ///< a progressive JPEG with more scans than any encoder writes
};

/// zlib strategies and libpng filter masks, so Swift need not import zlib.h or png.h
/// (imageio.c checks that they equal Z_DEFAULT_STRATEGY, Z_FILTERED, Z_RLE, PNG_FILTER_NONE, PNG_ALL_FILTERS).
enum {
    QRCERT_Z_DEFAULT_STRATEGY = 0,
    QRCERT_Z_FILTERED = 1,
    QRCERT_Z_RLE = 3,
    QRCERT_PNG_FILTER_NONE = 0x08,
    QRCERT_PNG_ALL_FILTERS = 0xf8,
};

/// Writes a 1-bit greyscale PNG. `rows` holds `h` rows of `(w + 7) / 8` packed bytes (MSB first,
/// 1 = white). `level` is the zlib level 0...9, `strategy` a zlib strategy (Z_DEFAULT_STRATEGY,
/// Z_FILTERED, Z_RLE, ...), `filters` a libpng filter mask (PNG_FILTER_NONE = 0x08, PNG_ALL_FILTERS = 0xf8).
/// On success `*out` (free with qrcert_imageio_free) holds `*outlen` bytes.
int qrcert_png_write_gray1(const uint8_t *rows, int w, int h, int level, int strategy, int filters,
                           uint8_t **out, size_t *outlen, char *err, size_t errlen);

/// `qrcert_png_write_gray1` with a pHYs chunk saying `ppm` pixels per metre in both directions (0: no pHYs),
/// so that a viewer or word processor places the image at its physical size.
int qrcert_png_write_gray1_phys(const uint8_t *rows, int w, int h, int level, int strategy, int filters,
                                uint32_t ppm, uint8_t **out, size_t *outlen, char *err, size_t errlen);

/// Reads any PNG into 8-bit grey (palette expanded, RGB converted, alpha composited on white).
/// Images with more than `max_pixels` pixels are refused before decoding.
int qrcert_png_read_gray8(const uint8_t *data, size_t len, uint64_t max_pixels,
                          uint8_t **out, int *w, int *h, char *err, size_t errlen);

/// Reads a baseline or progressive JPEG into 8-bit grey, same contract as qrcert_png_read_gray8.
int qrcert_jpeg_read_gray8(const uint8_t *data, size_t len, uint64_t max_pixels,
                           uint8_t **out, int *w, int *h, char *err, size_t errlen);

/// `qrcert_jpeg_read_gray8` at a reduced size: halved while the image has more than `reduce_to_pixels` pixels
/// and both sides are at least 2 (at most 3 times), as repeated 2x2 halving would, but by libjpeg's DCT scaling
/// (scale 1/2, 1/4 or 1/8), so the full-size image is never made. `*halvings` says how many; `*w` and `*h` are
/// the reduced size (libjpeg rounds up: the image's width / 2^halvings, rounded up). `max_pixels` applies to the
/// full size.
int qrcert_jpeg_read_gray8_reduced(const uint8_t *data, size_t len, uint64_t max_pixels, uint64_t reduce_to_pixels,
                                   uint8_t **out, int *w, int *h, int *halvings, char *err, size_t errlen);

/// Frees a buffer returned by the functions above.
void qrcert_imageio_free(void *p);

#endif
