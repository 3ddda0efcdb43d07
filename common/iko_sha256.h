/*
 * iko_sha256.h — SHA-256 (FIPS 180-4), streaming. Used for input fingerprints
 * in run manifests, the migration package manifest and evidence bundles.
 */
#ifndef IKO_SHA256_H
#define IKO_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct iko_sha256 {
	uint32_t h[8];
	uint64_t total;
	unsigned char block[64];
	size_t used;
} iko_sha256;

void iko_sha256_init(iko_sha256 *ctx);
void iko_sha256_update(iko_sha256 *ctx, const void *data, size_t len);
/* Finish and write the 32-byte digest. */
void iko_sha256_final(iko_sha256 *ctx, unsigned char digest[32]);
/* Finish and write 64 lower-case hex digits plus NUL into hex[65]. */
void iko_sha256_final_hex(iko_sha256 *ctx, char hex[65]);

#endif
