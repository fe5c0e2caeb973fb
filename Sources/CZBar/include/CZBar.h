#ifndef QRCERT_CZBAR_H
#define QRCERT_CZBAR_H
// libzbar, imported by QRCertImage only. Not linked: qrcert_zbar_load() dlopen()s it at the first scan, so the
// commands that read no image start without it and the 16 libraries it needs (D-Bus, systemd, libgcrypt, X11,
// v4l; docs/PERFORMANCE.md). zbar.h's own declarations are used, and zbar_library.c defines each function used
// over the same prototype, so the compiler checks every forwarder against the header.
#include <stddef.h>
#include <zbar.h>

/// Every libzbar function QRDecoder uses: F(result, name, parameters, arguments) for functions with a result,
/// V(...) for void ones.
#define QRCERT_ZBAR_FUNCTIONS(F, V) \
    F(zbar_image_t *, zbar_image_create, (void), ()) \
    V(void, zbar_image_destroy, (zbar_image_t *image), (image)) \
    F(const zbar_symbol_t *, zbar_image_first_symbol, (const zbar_image_t *image), (image)) \
    F(zbar_image_scanner_t *, zbar_image_scanner_create, (void), ()) \
    V(void, zbar_image_scanner_destroy, (zbar_image_scanner_t *scanner), (scanner)) \
    F(int, zbar_image_scanner_set_config, (zbar_image_scanner_t *scanner, zbar_symbol_type_t symbology, zbar_config_t config, int value), (scanner, symbology, config, value)) \
    V(void, zbar_image_set_data, (zbar_image_t *image, const void *data, unsigned long data_byte_length, zbar_image_cleanup_handler_t *cleanup_hndlr), (image, data, data_byte_length, cleanup_hndlr)) \
    V(void, zbar_image_set_format, (zbar_image_t *image, unsigned long format), (image, format)) \
    V(void, zbar_image_set_size, (zbar_image_t *image, unsigned width, unsigned height), (image, width, height)) \
    F(int, zbar_scan_image, (zbar_image_scanner_t *scanner, zbar_image_t *image), (scanner, image)) \
    F(const char *, zbar_symbol_get_data, (const zbar_symbol_t *symbol), (symbol)) \
    F(unsigned int, zbar_symbol_get_data_length, (const zbar_symbol_t *symbol), (symbol)) \
    F(unsigned, zbar_symbol_get_loc_size, (const zbar_symbol_t *symbol), (symbol)) \
    F(int, zbar_symbol_get_loc_x, (const zbar_symbol_t *symbol, unsigned index), (symbol, index)) \
    F(int, zbar_symbol_get_loc_y, (const zbar_symbol_t *symbol, unsigned index), (symbol, index)) \
    F(zbar_symbol_type_t, zbar_symbol_get_type, (const zbar_symbol_t *symbol), (symbol)) \
    F(const zbar_symbol_t *, zbar_symbol_next, (const zbar_symbol_t *symbol), (symbol))

/// Loads libzbar.so.0 and every function above, once per process (later calls return the first call's result).
/// 0 on success; otherwise nonzero, with dlerror()'s message in `err`. No zbar function may be called before it
/// has succeeded.
int qrcert_zbar_load(char *err, size_t errlen);

#endif
