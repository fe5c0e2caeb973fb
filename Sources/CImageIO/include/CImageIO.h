#ifndef QRCERT_CIMAGEIO_H
#define QRCERT_CIMAGEIO_H
#include <stddef.h>
#include <stdint.h>
#endif
