/*
 * iko_lesson.h — lessons carried forward (教訓): what one municipality's
 * rehearsal taught, and the fix later municipalities of the same vendor
 * and business inherit. Stored in <project dir>/lessons.csv:
 *
 *   id, recorded, vendor, business, found_lg_code, found_run, symptom,
 *   fix_kind, fix
 *
 * fix_kind is pack-version (the fix is in that version of the pack: a
 * rehearsal with an older pack misses it), rule (a pack rule of that name
 * must be present) or runbook (a runbook step; text that must appear in
 * runbooks/).
 */
#ifndef IKO_LESSON_H
#define IKO_LESSON_H

#include <stddef.h>

typedef struct iko_lesson {
	char *id, *recorded, *vendor, *business, *found_lg_code, *found_run, *symptom, *fix_kind, *fix;
} iko_lesson;

typedef struct iko_lessons {
	size_t n;
	iko_lesson *l;
} iko_lessons;

/* <project dir>/lessons.csv for the project file at project_path. */
char *iko_lesson_path(const char *project_path);
/* Load (an absent file is empty). */
int iko_lessons_load(iko_lessons *out, const char *path);
void iko_lessons_free(iko_lessons *ls);
/* Append a lesson (id assigned: L001, L002, …; written atomically). */
int iko_lesson_add(const char *path, iko_lesson *l);

/* 1 when a lesson applies to vendor/business. */
int iko_lesson_applies(const iko_lesson *l, const char *vendor, const char *business);

/*
 * Is the fix present? pack_version: the rehearsal's pack version;
 * rule_present: 1 when the pack has a rule named l->fix (for kind rule);
 * runbooks_dir: where runbook steps are looked up. *why explains (static or
 * into buf).
 */
int iko_lesson_fixed(const iko_lesson *l, const char *pack_version, int rule_present,
		     const char *runbooks_dir);

/* Compare dotted versions ("1.2.10" > "1.2.9"). */
int iko_version_cmp(const char *a, const char *b);

#endif
