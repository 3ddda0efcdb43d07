/*
 * iko_shard.h — scale-out on existing engines: other PostgreSQL servers
 * (shards) hold some municipalities' partitions; the coordinator keeps the
 * parent tables and reaches those partitions as postgres_fdw foreign
 * partitions. A routing catalog maps lg_code → shard.
 *
 *   iko.shards  (name PRIMARY KEY, dsn, server, added_at)
 *   iko.routing (lg_code PRIMARY KEY, shard REFERENCES iko.shards, placed_at)
 *
 * A routed municipality's load runs on its shard exactly like a local one
 * (COPY into _new, one-transaction swap, all or nothing), then the
 * coordinator's partition <table>_<lg> becomes a foreign table on the
 * shard's <table>_<lg> (a local partition is kept as <table>_<lg>_prev).
 * Keys keep lg_code first, so distributing by lg_code with Citus later
 * needs no schema change (docs/scale-out.md).
 */
#ifndef IKO_SHARD_H
#define IKO_SHARD_H

#include "iko_load.h"

#include <libpq-fe.h>

/* Register a shard: catalog row, postgres_fdw server iko_shard_<name> and user mapping. */
int iko_shard_add(PGconn *coord, const char *name, const char *dsn);
/* Route lg_code to a registered shard (or back to the coordinator with name NULL). */
int iko_shard_place(PGconn *coord, const char *lg_code, const char *name);

typedef struct iko_shard_row {
	char *lg_code, *shard, *dsn;   /* for shards without municipalities lg_code is NULL */
} iko_shard_row;

/* Every shard and its municipalities. */
int iko_shard_list(PGconn *coord, iko_shard_row **out, size_t *n);
void iko_shard_rows_free(iko_shard_row *rows, size_t n);

/*
 * iko_load_run on the municipality's shard when it is routed (then attach
 * the foreign partitions on the coordinator and record the load there too),
 * else on opts->conn. *shard (may be NULL) gets the shard name or NULL.
 */
int iko_load_routed(iko_load_result *out, const iko_load_options *opts, char **shard);

#endif
