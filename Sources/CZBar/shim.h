#ifndef QRCERT_CZBAR_SHIM_H
#define QRCERT_CZBAR_SHIM_H
#include <zbar.h>
#endif
