// Single-block DES (STS DKGA-02) is only in OpenSSL's deprecated low-level API; it needs no legacy provider.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/des.h>
