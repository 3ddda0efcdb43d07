/*
 * iko_roles.h — tenant isolation in the shared database: one role per
 * municipality (iko_lg_<lg_code>) that reads and changes only its own
 * lg_code's rows, and a loader role (iko_loader) exempt from it.
 *
 * Every parent table of the given schemas gets ROW LEVEL SECURITY and one
 * policy `iko_tenant`: USING / WITH CHECK (lg_code = iko.current_lg()),
 * where iko.current_lg() is the lg_code of the current iko_lg_ role (NULL,
 * i.e. no rows, for any other role). Municipality roles are granted the
 * parent tables only, never the partitions, so they cannot go around the
 * policy. The loader has BYPASSRLS (COPY is not allowed under RLS) and all
 * privileges on the schemas. Idempotent: run again after new schemas or
 * municipalities arrive. All identifiers are quoted, all values escaped.
 */
#ifndef IKO_ROLES_H
#define IKO_ROLES_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct iko_roles_result {
	size_t nroles;             /* municipality roles created or refreshed */
	char **roles;
	size_t ntables;            /* parent tables under the policy */
} iko_roles_result;

/*
 * schemas: names of standard schemas present in the database (NULL/0: every
 * schema iko.load_history knows). lg_codes: municipalities (NULL/0: every
 * lg_code iko.load_history knows). Returns 0 or IKO_EDB / IKO_EINVAL.
 */
int iko_roles_apply(iko_roles_result *out, PGconn *conn, const char *const *schemas,
		    size_t nschemas, const char *const *lg_codes, size_t nlg);
void iko_roles_result_release(iko_roles_result *r);

#endif
