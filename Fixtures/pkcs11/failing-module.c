/* TEST-ONLY PKCS#11 module for Tests/QRCertCLITests/TokenSigningTests.swift: forwards every call to the
 * real module named by QRCERT_SHIM_MODULE (SoftHSM2), except that
 *   QRCERT_SHIM_SIGN_LIMIT=N     lets N C_Sign calls succeed, then answers CKR_DEVICE_REMOVED
 *                                (a token pulled out mid-batch);
 *   QRCERT_SHIM_FAIL_FIND=1      answers C_FindObjectsInit with CKR_DEVICE_ERROR.
 * Built by the test with the toolchain's clang: clang -shared -fPIC -o failing-module.so failing-module.c -ldl */
#include "/usr/include/p11-kit-1/p11-kit/pkcs11.h"
#include <dlfcn.h>
#include <stdlib.h>

static CK_FUNCTION_LIST shim;
static CK_FUNCTION_LIST_PTR real;
static long sign_limit = -1;
static long signs;

static CK_RV shim_sign(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG count, CK_BYTE_PTR signature, CK_ULONG_PTR length) {
    if (sign_limit >= 0 && __atomic_add_fetch(&signs, 1, __ATOMIC_SEQ_CST) > sign_limit) return CKR_DEVICE_REMOVED;
    return real->C_Sign(session, data, count, signature, length);
}

static CK_RV shim_find_init(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR template, CK_ULONG count) {
    (void)session; (void)template; (void)count;
    return CKR_DEVICE_ERROR;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
    const char *path = getenv("QRCERT_SHIM_MODULE");
    void *module = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    CK_C_GetFunctionList get = module ? (CK_C_GetFunctionList)dlsym(module, "C_GetFunctionList") : NULL;
    if (get == NULL || get(&real) != CKR_OK) return CKR_GENERAL_ERROR;
    shim = *real;
    const char *limit = getenv("QRCERT_SHIM_SIGN_LIMIT");
    if (limit) { sign_limit = atol(limit); shim.C_Sign = shim_sign; }
    if (getenv("QRCERT_SHIM_FAIL_FIND")) shim.C_FindObjectsInit = shim_find_init;
    *list = &shim;
    return CKR_OK;
}
