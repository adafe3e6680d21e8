/*
 * NAME
 *   tls_keys.c - session-ticket keys in memory shared by every worker
 *
 * SYNOPSIS
 *   host_tls_keys_init(err, sizeof err);      master, before forking
 *   SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, tls_cb_ticket_key);
 *
 * DESCRIPTION
 *   A stateless session ticket is the session's state sealed by the
 *   server (AES-256-CBC plus HMAC-SHA256) and kept by the client.  Any
 *   worker must open a ticket another one issued, so the keys live in
 *   one anonymous shared mapping made before the workers fork; they are
 *   never written to disk.  The current key seals new tickets for
 *   HOST_TLS_KEY_LIFETIME seconds; then whichever process first needs a
 *   key makes a new one and keeps the old one to open (and renew)
 *   tickets for one more period, as the seed describes for OpenSSL.  An
 *   older ticket, or one from another daemon, just means a full
 *   handshake.
 *
 *   A spin lock in the mapping guards the two keys; it is held for a
 *   copy of a few dozen bytes (and once an hour for a key generation),
 *   so workers never wait on each other in practice.
 *
 *   The mapping survives host_tls_server_free() and a new
 *   host_tls_server_init() (a reload keeps the tickets valid).
 *
 * DIAGNOSTICS
 *   host_tls_keys_init() fails when the mapping cannot be made or the
 *   random generator cannot seed a key.
 */
#include "config.h"

#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "tls_int.h"

struct tls_key {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
    time_t born;
    int valid;
};

struct tls_keyring {
    atomic_flag lock;
    struct tls_key cur, prev;
};

static struct tls_keyring *ring;

static int
new_key(struct tls_key *k, time_t now)
{
    if (RAND_bytes(k->name, sizeof k->name) != 1 ||
        RAND_bytes(k->aes, sizeof k->aes) != 1 ||
        RAND_bytes(k->hmac, sizeof k->hmac) != 1)
        return -1;
    k->born = now;
    k->valid = 1;
    return 0;
}

static void
lock(void)
{
    while (atomic_flag_test_and_set_explicit(&ring->lock,
                                             memory_order_acquire))
        sched_yield();
}

static void
unlock(void)
{
    atomic_flag_clear_explicit(&ring->lock, memory_order_release);
}

/* With the lock held: replace an expired current key. */
static void
rotate_locked(time_t now, int force)
{
    struct tls_key k;

    if (!force && now - ring->cur.born < HOST_TLS_KEY_LIFETIME)
        return;
    if (new_key(&k, now) < 0)
        return;                 /* keep the old one rather than none */
    if (now - ring->cur.born < 2 * HOST_TLS_KEY_LIFETIME)
        ring->prev = ring->cur;
    else
        memset(&ring->prev, 0, sizeof ring->prev);
    ring->cur = k;
    OPENSSL_cleanse(&k, sizeof k);
}

int
host_tls_keys_init(char *err, size_t errlen)
{
    void *p;

    if (ring != NULL)
        return 0;
    p = mmap(NULL, sizeof *ring, PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "TLS ticket keys: mmap failed");
        return -1;
    }
    ring = p;
    atomic_flag_clear(&ring->lock);
    if (new_key(&ring->cur, time(NULL)) < 0) {
        snprintf(err, errlen, "TLS ticket keys: no random data");
        munmap(p, sizeof *ring);
        ring = NULL;
        return -1;
    }
    return 0;
}

void
host_tls_keys_free(void)
{
    if (ring == NULL)
        return;
    OPENSSL_cleanse(ring, sizeof *ring);
    munmap(ring, sizeof *ring);
    ring = NULL;
}

void
host_tls_keys_rotate(void)
{
    if (ring == NULL)
        return;
    lock();
    rotate_locked(time(NULL), 1);
    unlock();
}

static int
set_keys(const struct tls_key *k, const unsigned char *iv,
         EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
    OSSL_PARAM p[3];

    p[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY,
                                             (void *)k->hmac, sizeof k->hmac);
    p[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                            (char *)"SHA256", 0);
    p[2] = OSSL_PARAM_construct_end();
    if (!EVP_MAC_CTX_set_params(hctx, p))
        return -1;
    if (enc)
        return EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes,
                                  iv) == 1 ? 0 : -1;
    return EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes, iv) == 1
               ? 0 : -1;
}

/* OpenSSL's ticket callback: enc 1 seals a new ticket (return 1 to
 * issue it), enc 0 opens one (1: good, 2: good but renew it, 0: unknown
 * key, do a full handshake, -1: failure). */
int
tls_cb_ticket_key(SSL *ssl, unsigned char key_name[16], unsigned char *iv,
                  EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
    struct host_tls_conn *c = SSL_get_app_data(ssl);
    struct tls_key k;
    int rc = 0;

    if (ring == NULL || (c != NULL && !c->resume_ok))
        return 0;
    lock();
    rotate_locked(time(NULL), 0);
    if (enc) {
        k = ring->cur;
        rc = 1;
    } else if (memcmp(key_name, ring->cur.name, 16) == 0) {
        k = ring->cur;
        rc = 1;
    } else if (ring->prev.valid &&
               memcmp(key_name, ring->prev.name, 16) == 0) {
        k = ring->prev;
        rc = 2;
    }
    unlock();
    if (rc == 0)
        return 0;
    if (enc) {
        memcpy(key_name, k.name, 16);
        if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(EVP_aes_256_cbc())) != 1)
            rc = -1;
    }
    if (rc > 0 && set_keys(&k, iv, cctx, hctx, enc) < 0)
        rc = -1;
    OPENSSL_cleanse(&k, sizeof k);
    if (enc && rc == 1 && c != NULL)
        c->resumption |= TLS_RESUME_ISSUED;
    return rc;
}
