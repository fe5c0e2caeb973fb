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
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

// OPENSSL_free is a function-like macro: Swift cannot import it.
static inline void qrcert_openssl_free(void *p) { OPENSSL_free(p); }
// BIO_get_mem_data is a function-like macro over BIO_ctrl.
static inline long qrcert_bio_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }
// XN_FLAG_RFC2253 is built from casts Swift cannot import; without ESC_MSB so UTF-8 names stay readable.
static inline unsigned long qrcert_xn_flags_rfc2253_utf8(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }
// A key built from parameters: EVP_PKEY_PUBLIC_KEY is an expression of selection macros.
static inline int qrcert_evp_pkey_public_key_selection(void) { return EVP_PKEY_PUBLIC_KEY; }
#endif
