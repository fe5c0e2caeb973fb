#ifndef QRCERT_CPKCS11_H
#define QRCERT_CPKCS11_H
// The PKCS#11 (Cryptoki 2.40) header from Debian's libp11-kit-dev, by full path: only the header is
// used (nothing of p11-kit is linked), and its folder is not on the default include path.
#include "/usr/include/p11-kit-1/p11-kit/pkcs11.h"

/// dlopen()s the PKCS#11 module at `path` and returns its function list through C_GetFunctionList
/// (dlopen/dlsym live here: Swift cannot call through the void * that dlsym returns).
/// On failure returns NULL and writes the reason (dlerror() or the CK_RV) into `reason`.
CK_FUNCTION_LIST_PTR qrcert_p11_load(const char *path, void **handle, char *reason, unsigned long reason_size);

/// Closes a module opened by qrcert_p11_load.
void qrcert_p11_unload(void *handle);

/// The name of a return value ("CKR_PIN_INCORRECT"), or NULL for a value this header does not name.
/// A table in C: the names are the header's own macros.
const char *qrcert_p11_rv_name(CK_RV rv);

#endif
