/* PNG encoding benchmark for QRCertImage: times qrcert_png_write_gray1 (Sources/CImageIO) on typical
   symbols (380...700 Base45 characters, versions 10...19, 4 px modules, 4-module quiet zone) for each
   zlib level, strategy and PNG filter, next to the cost of libqrencode itself. Results: docs/PNG.md.
   Run from the package root on an idle machine:

     cc -O2 -ISources/CImageIO/include Benchmarks/png-bench.c Sources/CImageIO/imageio.c \
        -lqrencode -lpng -ljpeg -lz -o /tmp/png-bench && /tmp/png-bench
*/
#include "CImageIO.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SYMBOLS = 8, MODULE = 4, MARGIN = 4, ROUNDS = 300 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char base45[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
static const int lengths[SYMBOLS] = {380, 380, 380, 380, 480, 560, 640, 700};
static const QRecLevel levels[SYMBOLS] = {QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H,
                                          QR_ECLEVEL_Q, QR_ECLEVEL_Q, QR_ECLEVEL_Q, QR_ECLEVEL_M};

static void payload(char *s, int length, unsigned seed) {
    strcpy(s, "QC1:");
    for (int i = 4; i < length; i++) s[i] = base45[(seed * 2654435761u + (unsigned)i * 40503u) % 45];
    s[length] = 0;
}

int main(void) {
    uint8_t *rows[SYMBOLS];
    int sides[SYMBOLS];
    char text[800];
    printf("symbols:");
    for (int k = 0; k < SYMBOLS; k++) {
        payload(text, lengths[k], (unsigned)k + 1);
        QRcode *q = QRcode_encodeString(text, 0, levels[k], QR_MODE_8, 1);
        if (q == NULL) return 1;
        int size = q->width, side = (size + 2 * MARGIN) * MODULE, stride = (side + 7) / 8;
        uint8_t *r = malloc((size_t)stride * side);
        memset(r, 0xff, (size_t)stride * side);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                if (q->data[y * size + x] & 1)
                    for (int dy = 0; dy < MODULE; dy++)
                        for (int dx = 0; dx < MODULE; dx++) {
                            int px = (MARGIN + x) * MODULE + dx, py = (MARGIN + y) * MODULE + dy;
                            r[py * stride + px / 8] &= (uint8_t)~(0x80 >> (px & 7));
                        }
        rows[k] = r;
        sides[k] = side;
        printf(" v%d/%dpx", q->version, side);
        QRcode_free(q);
    }
    double t0 = now();
    for (int i = 0; i < ROUNDS / 2; i++)
        for (int k = 0; k < SYMBOLS; k++) {
            payload(text, lengths[k], (unsigned)(i * SYMBOLS + k));
            QRcode_free(QRcode_encodeString(text, 0, levels[k], QR_MODE_8, 1));
        }
    printf("\nQRcode_encodeString alone: %.0f us/symbol\n\n", (now() - t0) / (ROUNDS / 2 * SYMBOLS) * 1e6);

    const int zlevels[] = {1, 2, 3, 4, 5, 6, 9};
    const int strategies[] = {QRCERT_Z_DEFAULT_STRATEGY, QRCERT_Z_FILTERED, QRCERT_Z_RLE};
    const char *strategy_names[] = {"Z_DEFAULT_STRATEGY", "Z_FILTERED", "Z_RLE"};
    const int filters[] = {QRCERT_PNG_FILTER_NONE, QRCERT_PNG_ALL_FILTERS};
    printf("| level | strategy | filter | us/image | mean bytes |\n|---:|---|---|---:|---:|\n");
    for (int l = 0; l < 7; l++)
        for (int s = 0; s < 3; s++)
            for (int f = 0; f < 2; f++) {
                size_t bytes = 0;
                double start = now();
                for (int i = 0; i < ROUNDS; i++)
                    for (int k = 0; k < SYMBOLS; k++) {
                        uint8_t *out;
                        size_t length;
                        char err[256];
                        if (qrcert_png_write_gray1(rows[k], sides[k], sides[k], zlevels[l], strategies[s], filters[f],
                                                   &out, &length, err, sizeof err) != QRCERT_IMAGEIO_OK) {
                            fprintf(stderr, "png-bench: %s\n", err);
                            return 1;
                        }
                        if (i == 0) bytes += length;
                        qrcert_imageio_free(out);
                    }
                printf("| %d | %s | %s | %.0f | %zu |\n", zlevels[l], strategy_names[s],
                       filters[f] == QRCERT_PNG_FILTER_NONE ? "none" : "all", (now() - start) / (ROUNDS * SYMBOLS) * 1e6,
                       bytes / SYMBOLS);
            }
    for (int k = 0; k < SYMBOLS; k++) free(rows[k]);
    return 0;
}
