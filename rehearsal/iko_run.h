/*
 * iko_run.h — rehearsal runs: numbered run directories and project files.
 *
 * A rehearsal run lives in <runs>/<lg_code>/<run-id>/ with one directory
 * per stage (extract/ transform/ validate/ load/ reconcile/ reports/) and
 * a manifest.json (inputs and their SHA-256, tool/schema/pack versions,
 * timings and counts per stage, discrepancies). Run ids are R001, R002, …
 * per municipality, allocated with mkdir so two runs never share one.
 *
 * PROJECT.yaml:
 *   project: 見本市 移行リハーサル
 *   runs: runs                # relative to the project file
 *   db: "host=... dbname=..." # optional; default: the embedded server
 *   db_dir: .iko/pg           # embedded server directory (relative)
 *   municipalities:
 *     - {lg_code: "435015", name: 錦町, pack: packs/vendor-a/jumin, dump: dump/}
 *     - {lg_code: "435015", name: 錦町, pack: packs/vendor-a/kojin_juminzei, dump: dump/}
 * Relative paths are resolved against the project file's directory, except
 * pack, which is also looked up in the iko data directory. A municipality
 * appears once per business (the pack directory's name); each rehearsal of
 * any business takes the municipality's next run number.
 */
#ifndef IKO_RUN_H
#define IKO_RUN_H

#include <stddef.h>

typedef struct iko_project_muni {
	char *lg_code, *name, *pack, *dump;
	char *business;  /* the pack directory's name: jumin, kojin_juminzei, … */
} iko_project_muni;

typedef struct iko_project {
	char *path, *dir, *name, *runs, *db, *db_dir;
	size_t n;
	iko_project_muni *munis;
} iko_project;

int iko_project_load(iko_project **out, const char *path);
void iko_project_free(iko_project *p);
const iko_project_muni *iko_project_find(const iko_project *p, const char *lg_code);

/*
 * Allocate the next run directory <runs>/<lg_code>/R<nnn>.
 * *out_dir and *out_id are owned by the caller.
 */
int iko_run_create(char **out_dir, char **out_id, const char *runs, const char *lg_code);

#endif
