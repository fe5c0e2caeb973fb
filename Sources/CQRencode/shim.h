#ifndef QRCERT_CQRENCODE_SHIM_H
#define QRCERT_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
