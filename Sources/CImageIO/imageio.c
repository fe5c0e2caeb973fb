// libpng and libjpeg signal errors with longjmp. Each setjmp lives in a small *_inner function whose
// caller owns every piece of state, so nothing the caller reads after a longjmp is an indeterminate
// local of the function that called setjmp (C11 7.13.2.1). No function here writes to stderr.
#include "CImageIO.h"

#include <setjmp.h>
#include <stdio.h>  // before jpeglib.h, which uses FILE
#include <stdlib.h>

#include <jpeglib.h>
#include <png.h>
#include <string.h>
#include <zlib.h>

_Static_assert(QRCERT_Z_DEFAULT_STRATEGY == Z_DEFAULT_STRATEGY, "zlib strategy");
_Static_assert(QRCERT_Z_FILTERED == Z_FILTERED, "zlib strategy");
_Static_assert(QRCERT_Z_RLE == Z_RLE, "zlib strategy");
_Static_assert(QRCERT_PNG_FILTER_NONE == PNG_FILTER_NONE, "png filter");
_Static_assert(QRCERT_PNG_ALL_FILTERS == PNG_ALL_FILTERS, "png filter");

static void set_err(char *err, size_t errlen, const char *msg) {
    if (err != NULL && errlen > 0) {
        snprintf(err, errlen, "%s", msg != NULL ? msg : "unknown error");
    }
}

void qrcert_imageio_free(void *p) { free(p); }

// MARK: - PNG writing

typedef struct {
    uint8_t *buf;
    size_t len;
    size_t cap;
    int no_memory;
    char *err;
    size_t errlen;
} png_sink;

static void png_error_silent(png_structp png, png_const_charp msg) {
    png_sink *sink = png_get_error_ptr(png);
    if (sink != NULL) set_err(sink->err, sink->errlen, msg);
    png_longjmp(png, 1);
}

static void png_warning_silent(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static void png_sink_write(png_structp png, png_bytep data, size_t n) {
    png_sink *sink = png_get_io_ptr(png);
    if (n > SIZE_MAX - sink->len) {
        sink->no_memory = 1;
        png_error(png, "png output too large");
    }
    if (sink->len + n > sink->cap) {
        size_t cap = sink->cap != 0 ? sink->cap : 4096;
        while (cap < sink->len + n) cap *= 2;
        uint8_t *p = realloc(sink->buf, cap);
        if (p == NULL) {
            sink->no_memory = 1;
            png_error(png, "out of memory");
        }
        sink->buf = p;
        sink->cap = cap;
    }
    memcpy(sink->buf + sink->len, data, n);
    sink->len += n;
}

static void png_sink_flush(png_structp png) { (void)png; }

static int png_write_inner(png_structp png, png_infop info, png_sink *sink, const uint8_t *rows,
                           int w, int h, int level, int strategy, int filters, uint32_t ppm) {
    if (setjmp(png_jmpbuf(png))) return 1;
    png_set_write_fn(png, sink, png_sink_write, png_sink_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (ppm != 0) png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    png_set_compression_level(png, level);
    png_set_compression_strategy(png, strategy);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
    png_write_info(png, info);
    size_t stride = ((size_t)w + 7) / 8;
    for (int y = 0; y < h; y++) png_write_row(png, rows + (size_t)y * stride);
    png_write_end(png, NULL);
    return 0;
}

int qrcert_png_write_gray1(const uint8_t *rows, int w, int h, int level, int strategy, int filters,
                           uint8_t **out, size_t *outlen, char *err, size_t errlen) {
    return qrcert_png_write_gray1_phys(rows, w, h, level, strategy, filters, 0, out, outlen, err, errlen);
}

int qrcert_png_write_gray1_phys(const uint8_t *rows, int w, int h, int level, int strategy, int filters,
                                uint32_t ppm, uint8_t **out, size_t *outlen, char *err, size_t errlen) {
    if (out == NULL || outlen == NULL) return QRCERT_IMAGEIO_BAD_ARGUMENT;
    *out = NULL;
    *outlen = 0;
    if (rows == NULL || w <= 0 || h <= 0 || level < 0 || level > 9 || strategy < Z_DEFAULT_STRATEGY ||
        strategy > Z_FIXED || (filters & ~PNG_ALL_FILTERS) != 0 || filters == 0) {
        set_err(err, errlen, "invalid png write arguments");
        return QRCERT_IMAGEIO_BAD_ARGUMENT;
    }
    png_sink sink = {NULL, 0, 0, 0, err, errlen};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, png_error_silent, png_warning_silent);
    if (png == NULL) {
        set_err(err, errlen, "out of memory");
        return QRCERT_IMAGEIO_NO_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        set_err(err, errlen, "out of memory");
        return QRCERT_IMAGEIO_NO_MEMORY;
    }
    int failed = png_write_inner(png, info, &sink, rows, w, h, level, strategy, filters, ppm);
    png_destroy_write_struct(&png, &info);
    if (failed) {
        free(sink.buf);
        return sink.no_memory ? QRCERT_IMAGEIO_NO_MEMORY : QRCERT_IMAGEIO_BAD_ARGUMENT;
    }
    *out = sink.buf;
    *outlen = sink.len;
    return QRCERT_IMAGEIO_OK;
}

// MARK: - PNG reading

// The simplified API (png_image) runs its own setjmp internally, stores warnings and errors in
// image.message instead of printing them, expands every colour type and bit depth, converts to
// grey and composites alpha over the background we pass.
int qrcert_png_read_gray8(const uint8_t *data, size_t len, uint64_t max_pixels,
                          uint8_t **out, int *w, int *h, char *err, size_t errlen) {
    if (out == NULL || w == NULL || h == NULL) return QRCERT_IMAGEIO_BAD_ARGUMENT;
    *out = NULL;
    *w = 0;
    *h = 0;
    if (data == NULL || len == 0) {
        set_err(err, errlen, "empty png data");
        return QRCERT_IMAGEIO_BAD_DATA;
    }
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, data, len)) {
        set_err(err, errlen, image.message);
        png_image_free(&image);
        return QRCERT_IMAGEIO_BAD_DATA;
    }
    uint64_t pixels = (uint64_t)image.width * (uint64_t)image.height;
    if (pixels > max_pixels || image.width > INT32_MAX || image.height > INT32_MAX) {
        set_err(err, errlen, "image too large");
        png_image_free(&image);
        return QRCERT_IMAGEIO_TOO_LARGE;
    }
    image.format = PNG_FORMAT_GRAY;
    uint8_t *buf = malloc((size_t)pixels);
    if (buf == NULL) {
        set_err(err, errlen, "out of memory");
        png_image_free(&image);
        return QRCERT_IMAGEIO_NO_MEMORY;
    }
    png_color white = {255, 255, 255};
    if (!png_image_finish_read(&image, &white, buf, (png_int_32)image.width, NULL)) {
        set_err(err, errlen, image.message);
        png_image_free(&image);
        free(buf);
        return QRCERT_IMAGEIO_BAD_DATA;
    }
    *w = (int)image.width;
    *h = (int)image.height;
    png_image_free(&image);
    *out = buf;
    return QRCERT_IMAGEIO_OK;
}

// MARK: - JPEG reading

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    char *err;
    size_t errlen;
    struct jpeg_progress_mgr *progress;  // set after jpeg_create_decompress, which zeroes the struct
} jpeg_silent_error;

// A progressive JPEG may hold any number of scans, and libjpeg decodes every one over the whole image: a
// 500 KB file with thousands of refinement scans took minutes. Real encoders write about ten.
enum { QRCERT_JPEG_MAX_SCANS = 500 };

typedef struct {
    struct jpeg_progress_mgr pub;
    jpeg_silent_error *jerr;
} jpeg_scan_limit;

static void jpeg_progress_scan_limit(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > QRCERT_JPEG_MAX_SCANS) {
        jpeg_scan_limit *limit = (jpeg_scan_limit *)cinfo->progress;
        set_err(limit->jerr->err, limit->jerr->errlen, "jpeg image has more than 500 scans");
        longjmp(limit->jerr->jump, 2);
    }
}

static void jpeg_error_exit_silent(j_common_ptr cinfo) {
    jpeg_silent_error *e = (jpeg_silent_error *)cinfo->err;
    char msg[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, msg);
    set_err(e->err, e->errlen, msg);
    longjmp(e->jump, 1);
}

static void jpeg_output_message_silent(j_common_ptr cinfo) { (void)cinfo; }

static void jpeg_emit_message_silent(j_common_ptr cinfo, int msg_level) {
    // Keep libjpeg's warning count (corrupt-data warnings) without printing anything.
    if (msg_level < 0) cinfo->err->num_warnings++;
}

static int jpeg_read_inner(struct jpeg_decompress_struct *cinfo, jpeg_silent_error *jerr,
                           const uint8_t *data, size_t len, uint64_t max_pixels, uint64_t reduce_to_pixels,
                           uint8_t **buf, int *w, int *h, int *halvings) {
    int jumped = setjmp(jerr->jump);
    if (jumped == 2) return QRCERT_IMAGEIO_TOO_MANY_SCANS;
    if (jumped) return QRCERT_IMAGEIO_BAD_DATA;
    jpeg_create_decompress(cinfo);
    cinfo->progress = jerr->progress;
    jpeg_mem_src(cinfo, data, (unsigned long)len);
    jpeg_read_header(cinfo, TRUE);
    if ((uint64_t)cinfo->image_width * (uint64_t)cinfo->image_height > max_pixels) {
        set_err(jerr->err, jerr->errlen, "image too large");
        return QRCERT_IMAGEIO_TOO_LARGE;
    }
    cinfo->out_color_space = JCS_GRAYSCALE;
    // As many halvings as repeated 2x2 halving would make (at most 3: 1/8 is libjpeg's smallest scale, and a
    // 50-megapixel image is under a megapixel there). The IDCT then works at the reduced size: fewer
    // multiplications and no full-size rows written.
    uint64_t cw = cinfo->image_width, ch = cinfo->image_height;
    int k = 0;
    while (k < 3 && cw * ch > reduce_to_pixels && cw >= 2 && ch >= 2) {
        cw /= 2;
        ch /= 2;
        k++;
    }
    cinfo->scale_num = 1;
    cinfo->scale_denom = 1u << k;
    *halvings = k;
    jpeg_start_decompress(cinfo);
    if (cinfo->output_components != 1) {
        set_err(jerr->err, jerr->errlen, "cannot convert jpeg to greyscale");
        return QRCERT_IMAGEIO_BAD_DATA;
    }
    size_t stride = cinfo->output_width;
    *buf = malloc(stride * cinfo->output_height);
    if (*buf == NULL) {
        set_err(jerr->err, jerr->errlen, "out of memory");
        return QRCERT_IMAGEIO_NO_MEMORY;
    }
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = *buf + (size_t)cinfo->output_scanline * stride;
        jpeg_read_scanlines(cinfo, &row, 1);
    }
    *w = (int)cinfo->output_width;
    *h = (int)cinfo->output_height;
    jpeg_finish_decompress(cinfo);
    return QRCERT_IMAGEIO_OK;
}

int qrcert_jpeg_read_gray8(const uint8_t *data, size_t len, uint64_t max_pixels,
                           uint8_t **out, int *w, int *h, char *err, size_t errlen) {
    int halvings = 0;
    return qrcert_jpeg_read_gray8_reduced(data, len, max_pixels, UINT64_MAX, out, w, h, &halvings, err, errlen);
}

int qrcert_jpeg_read_gray8_reduced(const uint8_t *data, size_t len, uint64_t max_pixels, uint64_t reduce_to_pixels,
                                   uint8_t **out, int *w, int *h, int *halvings, char *err, size_t errlen) {
    if (out == NULL || w == NULL || h == NULL || halvings == NULL) return QRCERT_IMAGEIO_BAD_ARGUMENT;
    *out = NULL;
    *w = 0;
    *h = 0;
    *halvings = 0;
    if (data == NULL || len == 0) {
        set_err(err, errlen, "empty jpeg data");
        return QRCERT_IMAGEIO_BAD_DATA;
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_silent_error jerr;
    memset(&cinfo, 0, sizeof cinfo);
    memset(&jerr, 0, sizeof jerr);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = jpeg_error_exit_silent;
    jerr.pub.output_message = jpeg_output_message_silent;
    jerr.pub.emit_message = jpeg_emit_message_silent;
    jerr.err = err;
    jerr.errlen = errlen;
    jpeg_scan_limit progress;
    memset(&progress, 0, sizeof progress);
    progress.pub.progress_monitor = jpeg_progress_scan_limit;
    progress.jerr = &jerr;
    jerr.progress = &progress.pub;
    uint8_t *buf = NULL;
    int status = jpeg_read_inner(&cinfo, &jerr, data, len, max_pixels, reduce_to_pixels, &buf, w, h, halvings);
    jpeg_destroy_decompress(&cinfo);
    if (status != QRCERT_IMAGEIO_OK) {
        free(buf);
        *w = 0;
        *h = 0;
        *halvings = 0;
        return status;
    }
    *out = buf;
    return QRCERT_IMAGEIO_OK;
}
