/* PNG settings for issued licences, measured on real payloads: time and size of qrcert_png_write_gray1
   (Sources/CImageIO) for zlib levels, strategies and PNG row filters, with the PNGs of each setting
   written out so that scripts/bench-png can have zbar read every one of them back. Results: docs/PERFORMANCE.md.

     scripts/bench-png [N]        builds this, issues N licences (default 1000), runs it, runs zbarimg

   Direct use: bench-png PAYLOADS.txt EC(L|M|Q|H) OUTDIR ROUNDS
   prints one line per setting: level strategy filter us/image mean-bytes, and writes OUTDIR/<setting>/<i>.png */
#include "CImageIO.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { MODULE = 4, MARGIN = 4, MAXSYM = 100000 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

struct setting { int level, strategy, filter; const char *name; };

/* PNG_FILTER_UP is 0x20 (png.h); CImageIO.h names only NONE and ALL. */
enum { FILTER_UP = 0x20 };

static const struct setting settings[] = {
    {4, QRCERT_Z_FILTERED, QRCERT_PNG_FILTER_NONE, "4-filtered-none"},
    {1, QRCERT_Z_DEFAULT_STRATEGY, QRCERT_PNG_FILTER_NONE, "1-default-none"},
    {6, QRCERT_Z_DEFAULT_STRATEGY, QRCERT_PNG_FILTER_NONE, "6-default-none"},
    {1, QRCERT_Z_RLE, FILTER_UP, "1-rle-up"},
    {1, QRCERT_Z_DEFAULT_STRATEGY, FILTER_UP, "1-default-up"},
    {2, QRCERT_Z_DEFAULT_STRATEGY, FILTER_UP, "2-default-up"},
    {3, QRCERT_Z_DEFAULT_STRATEGY, FILTER_UP, "3-default-up"},
    {4, QRCERT_Z_FILTERED, FILTER_UP, "4-filtered-up"},
    {4, QRCERT_Z_DEFAULT_STRATEGY, FILTER_UP, "4-default-up"},
    {6, QRCERT_Z_FILTERED, FILTER_UP, "6-filtered-up"},
    {9, QRCERT_Z_FILTERED, FILTER_UP, "9-filtered-up"},
    {9, QRCERT_Z_DEFAULT_STRATEGY, FILTER_UP, "9-default-up"},
};

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: bench-png PAYLOADS.txt EC OUTDIR ROUNDS\n"); return 2; }
    QRecLevel ec = argv[2][0] == 'L' ? QR_ECLEVEL_L : argv[2][0] == 'M' ? QR_ECLEVEL_M
                 : argv[2][0] == 'H' ? QR_ECLEVEL_H : QR_ECLEVEL_Q;
    int rounds = atoi(argv[4]);
    FILE *in = fopen(argv[1], "r");
    if (!in) { perror(argv[1]); return 2; }
    static uint8_t *rows[MAXSYM];
    static int sides[MAXSYM];
    int count = 0;
    char line[8192];
    double qr = 0;
    while (count < MAXSYM && fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        double t = now();
        QRcode *q = QRcode_encodeString(line, 0, ec, QR_MODE_8, 1);
        qr += now() - t;
        if (!q) { fprintf(stderr, "qrencode failed\n"); return 1; }
        int size = q->width, side = (size + 2 * MARGIN) * MODULE, stride = (side + 7) / 8;
        uint8_t *r = malloc((size_t)stride * side);
        memset(r, 0xff, (size_t)stride * side);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                if (q->data[y * size + x] & 1)
                    for (int dy = 0; dy < MODULE; dy++)
                        for (int dx = 0; dx < MODULE; dx++) {
                            int px = (MARGIN + x) * MODULE + dx, py = (MARGIN + y) * MODULE + dy;
                            r[py * stride + px / 8] &= (uint8_t)~(0x80 >> (px % 8));
                        }
        rows[count] = r;
        sides[count] = side;
        count++;
        QRcode_free(q);
    }
    printf("%d symbols, EC %s, libqrencode %.0f us/symbol\n", count, argv[2], qr / count * 1e6);
    printf("%-18s %10s %11s\n", "setting", "us/image", "mean bytes");
    for (size_t s = 0; s < sizeof settings / sizeof settings[0]; s++) {
        const struct setting *st = &settings[s];
        double best = 1e9;
        size_t bytes = 0;
        for (int r = 0; r < rounds; r++) {
            double t = now();
            bytes = 0;
            for (int i = 0; i < count; i++) {
                uint8_t *out = NULL;
                size_t length = 0;
                char err[256];
                if (qrcert_png_write_gray1(rows[i], sides[i], sides[i], st->level, st->strategy, st->filter,
                                           &out, &length, err, sizeof err) != QRCERT_IMAGEIO_OK) {
                    fprintf(stderr, "%s: %s\n", st->name, err);
                    return 1;
                }
                bytes += length;
                qrcert_imageio_free(out);
            }
            double dt = now() - t;
            if (dt < best) best = dt;
        }
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", argv[3], st->name);
        mkdir(dir, 0755);
        for (int i = 0; i < count; i++) {
            uint8_t *out = NULL;
            size_t length = 0;
            char err[256], path[4200];
            qrcert_png_write_gray1(rows[i], sides[i], sides[i], st->level, st->strategy, st->filter, &out, &length, err, sizeof err);
            snprintf(path, sizeof path, "%s/%06d.png", dir, i);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(out, 1, length, f) != length || fclose(f)) { perror(path); return 1; }
            qrcert_imageio_free(out);
        }
        printf("%-18s %10.1f %11.0f\n", st->name, best / count * 1e6, (double)bytes / count);
    }
    return 0;
}
