#ifndef QRCERT_COPENSSL_SHIM_H
#define QRCERT_COPENSSL_SHIM_H
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/bio.h>

// OPENSSL_free is a function-like macro: Swift cannot import it.
static inline void qrcert_openssl_free(void *p) { OPENSSL_free(p); }
// BIO_get_mem_data is a function-like macro over BIO_ctrl.
static inline long qrcert_bio_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
#endif
