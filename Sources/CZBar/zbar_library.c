// Loads libzbar at run time (see CZBar.h) and forwards every function QRDecoder uses to it.
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

// Hidden: the forwarders bind this program's own calls only, never a library's call to the real function.
#pragma GCC visibility push(hidden)
#include "CZBar.h"

static struct {
#define QRCERT_ZBAR_POINTER(result, name, parameters, arguments) result (*name) parameters;
    QRCERT_ZBAR_FUNCTIONS(QRCERT_ZBAR_POINTER, QRCERT_ZBAR_POINTER)
#undef QRCERT_ZBAR_POINTER
} real;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int status = -1;
static char message[512];

static void load(void) {
    // Debian's libzbar0; never closed.
    void *handle = dlopen("libzbar.so.0", RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        snprintf(message, sizeof message, "%s", dlerror());
        return;
    }
#define QRCERT_ZBAR_RESOLVE(result, name, parameters, arguments)                 \
    *(void **)&real.name = dlsym(handle, #name);                                 \
    if (real.name == NULL) {                                                     \
        snprintf(message, sizeof message, "libzbar.so.0 has no %s", #name);      \
        return;                                                                  \
    }
    QRCERT_ZBAR_FUNCTIONS(QRCERT_ZBAR_RESOLVE, QRCERT_ZBAR_RESOLVE)
#undef QRCERT_ZBAR_RESOLVE
    status = 0;
}

int qrcert_zbar_load(char *err, size_t errlen) {
    pthread_once(&once, load);
    if (status != 0 && err != NULL && errlen > 0) snprintf(err, errlen, "%s", message);
    return status;
}

#define QRCERT_ZBAR_FORWARD(result, name, parameters, arguments) \
    result name parameters { return real.name arguments; }
#define QRCERT_ZBAR_FORWARD_VOID(result, name, parameters, arguments) \
    void name parameters { real.name arguments; }
QRCERT_ZBAR_FUNCTIONS(QRCERT_ZBAR_FORWARD, QRCERT_ZBAR_FORWARD_VOID)
#undef QRCERT_ZBAR_FORWARD
#undef QRCERT_ZBAR_FORWARD_VOID
#pragma GCC visibility pop
