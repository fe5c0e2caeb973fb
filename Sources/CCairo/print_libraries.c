// Loads the print stack at run time (see CCairo.h) and forwards every declared function to it.
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

// Hidden: the forwarders bind this program's own calls only, never a library's call to the real function.
#pragma GCC visibility push(hidden)
#include "CCairo.h"

// Sonames of Debian's runtime packages (libcairo2, libpango-1.0-0, libpangocairo-1.0-0, libpangoft2-1.0-0,
// libglib2.0-0, libfontconfig1), in load order: each after the libraries it needs.
static const char *const sonames[] = {
    "libglib-2.0.so.0", "libgobject-2.0.so.0", "libfontconfig.so.1", "libcairo.so.2",
    "libpango-1.0.so.0", "libpangoft2-1.0.so.0", "libpangocairo-1.0.so.0",
};
enum { GLIB, GOBJECT, FONTCONFIG, CAIRO, PANGO, PANGOFT2, PANGOCAIRO, LIBRARIES };

static struct {
#define QRCERT_PRINT_POINTER(library, result, name, parameters, arguments) result (*name) parameters;
    QRCERT_PRINT_FUNCTIONS(QRCERT_PRINT_POINTER, QRCERT_PRINT_POINTER)
#undef QRCERT_PRINT_POINTER
} real;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int status = -1;
static char message[512];

static void load(void) {
    void *handles[LIBRARIES];
    for (int i = 0; i < LIBRARIES; i++) {
        // Never closed: GLib's type system and fontconfig keep state for the process's life.
        handles[i] = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
        if (handles[i] == NULL) {
            snprintf(message, sizeof message, "%s", dlerror());
            return;
        }
    }
#define QRCERT_PRINT_RESOLVE(library, result, name, parameters, arguments)                   \
    *(void **)&real.name = dlsym(handles[library], #name);                                   \
    if (real.name == NULL) {                                                                 \
        snprintf(message, sizeof message, "%s has no %s", sonames[library], #name);          \
        return;                                                                              \
    }
    QRCERT_PRINT_FUNCTIONS(QRCERT_PRINT_RESOLVE, QRCERT_PRINT_RESOLVE)
#undef QRCERT_PRINT_RESOLVE
    status = 0;
}

int qrcert_print_libraries_load(char *err, size_t errlen) {
    pthread_once(&once, load);
    if (status != 0 && err != NULL && errlen > 0) snprintf(err, errlen, "%s", message);
    return status;
}

#define QRCERT_PRINT_FORWARD(library, result, name, parameters, arguments) \
    result name parameters { return real.name arguments; }
#define QRCERT_PRINT_FORWARD_VOID(library, result, name, parameters, arguments) \
    void name parameters { real.name arguments; }
QRCERT_PRINT_FUNCTIONS(QRCERT_PRINT_FORWARD, QRCERT_PRINT_FORWARD_VOID)
#undef QRCERT_PRINT_FORWARD
#undef QRCERT_PRINT_FORWARD_VOID
#pragma GCC visibility pop
