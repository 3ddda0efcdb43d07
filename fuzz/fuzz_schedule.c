/*
 * fuzz_schedule.c — the cutover plan loader (rehearsal/iko_schedule.c):
 * the input is PLAN.yaml; when it holds a line "#--actuals--", what
 * follows is the --actuals file. A plan that loads is also planned
 * (iko_schedule_plan), which is where the loaded numbers are used.
 * Nothing is written.
 */
#include "fuzz_common.h"

#include "iko_schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char plan[512], act[512];
	const uint8_t *sep = fz_split(data, size, "\n#--actuals--\n");
	size_t planlen = sep ? (size_t)(sep - data) : size;
	iko_schedule s;

	fz_path(plan, sizeof(plan), "plan.yaml");
	fz_path(act, sizeof(act), "actuals.yaml");
	fz_write(plan, data, planlen);
	if (sep) {
		size_t skip = strlen("\n#--actuals--\n");
		fz_write(act, sep + skip, size - planlen - skip);
	}
	if (iko_schedule_load(&s, plan) == 0) {
		if (!sep || iko_schedule_actuals(&s, act) == 0)
			(void)iko_schedule_plan(&s);
		iko_schedule_free(&s);
	}
	iko_error_clear();
	return 0;
}
