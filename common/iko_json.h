/*
 * iko_json.h — a small streaming JSON writer for manifests and sidecars.
 *
 * Writes pretty-printed JSON into an iko_buf. Keys and strings are escaped
 * per RFC 8259 (UTF-8 passes through; control characters become \uXXXX).
 * The writer tracks nesting so callers never place commas by hand. Reading
 * JSON back goes through iko_yaml (JSON is valid YAML for our documents).
 */
#ifndef IKO_JSON_H
#define IKO_JSON_H

#include "iko_buf.h"

#define IKO_JSON_MAX_DEPTH 32

typedef struct iko_json {
	iko_buf *out;
	int depth;
	int count[IKO_JSON_MAX_DEPTH]; /* values written at each level */
	int after_key;
	int err;                       /* first error; later calls are no-ops */
} iko_json;

/* Start writing into out (not owned). */
void iko_json_init(iko_json *j, iko_buf *out);
void iko_json_object_begin(iko_json *j);
void iko_json_object_end(iko_json *j);
void iko_json_array_begin(iko_json *j);
void iko_json_array_end(iko_json *j);
void iko_json_key(iko_json *j, const char *key);
void iko_json_str(iko_json *j, const char *s);
void iko_json_strn(iko_json *j, const char *s, size_t len);
void iko_json_int(iko_json *j, long long v);
void iko_json_double(iko_json *j, double v);
void iko_json_bool(iko_json *j, int v);
void iko_json_null(iko_json *j);
/* Convenience: key + value. */
void iko_json_kv_str(iko_json *j, const char *key, const char *s);
void iko_json_kv_int(iko_json *j, const char *key, long long v);
/* 0 if everything was written, else the first error code. Adds final LF. */
int iko_json_finish(iko_json *j);

/* Write buf to path atomically (mode 0644). */
int iko_json_write_file(const char *path, const iko_buf *buf);

#endif
