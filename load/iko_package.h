/*
 * iko_package.h — the standard migration package: one municipality's
 * validated data as a zip of one UTF-8 CSV per schema table (header of the
 * English column names or the Japanese labels) plus manifest.json:
 *
 *   {"format": "iko-migration-package/1", "schema": "jumin",
 *    "schema_version": "1.0.0", "pack": "vendor-a/jumin", "pack_version":
 *    "1.0.0", "lg_code": "131016", "created": "2026-11-22T10:00:00Z",
 *    "header": "en", "tables": [{"table": "resident", "file":
 *    "resident.csv", "rows": 1234, "sha256": "…", "columns": 27}, …]}
 *
 * rows counts CSV records without the header (RFC 4180: quoted line breaks
 * stay inside their record); sha256 is over the member's bytes. The zip is
 * written under a temporary name and renamed when complete.
 */
#ifndef IKO_PACKAGE_H
#define IKO_PACKAGE_H

#include <stddef.h>

#include "iko_schema.h"

typedef struct iko_package_options {
	const iko_schema *schema;
	const char *lg_code;
	const char *in_dir;        /* validated <table>.csv per schema table */
	const char *out;           /* FILE.zip */
	int japanese_header;       /* header row of Japanese labels */
	const char *pack, *pack_version; /* NULL: read from in_dir's or ../transform's manifest.json */
} iko_package_options;

typedef struct iko_package_table {
	char *table;
	long long rows;
	char sha256[65];
	int ok;                    /* verify: rows and sha256 match the manifest */
} iko_package_table;

typedef struct iko_package_result {
	size_t ntables;
	iko_package_table *tables;
	char *lg_code, *schema, *schema_version;
	int ok;                    /* verify: every table matches, nothing extra */
	char *problem;             /* verify: the first problem found, or NULL */
} iko_package_result;

int iko_package_write(iko_package_result *out, const iko_package_options *o);

/*
 * Re-check a package: the manifest parses, every listed member exists with
 * the listed rows and SHA-256, no member is unlisted. Returns 0 with
 * out->ok set (1 good, 0 with out->problem); an error only when the file
 * cannot be read as a zip.
 */
int iko_package_verify(iko_package_result *out, const char *path);

void iko_package_result_release(iko_package_result *r);

#endif
