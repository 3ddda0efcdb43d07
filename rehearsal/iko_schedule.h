/*
 * iko_schedule.h — staggered cutovers (切替) week by week (docs/schedule.md).
 *
 * PLAN.yaml:
 *   plan: 宮崎・熊本 4町 住民記録
 *   start: 2012-01-30            # the first week considered (its Monday)
 *   end: 2012-03-31              # cutovers must happen by then
 *   cutover_weekday: fri         # mon … sun
 *   slots_per_week: 1
 *   rehearsal_days_before: 14    # the final rehearsal (calendar) before a cutover
 *   blackouts:                   # no cutover inside (with the reason shown)
 *     - {from: 2012-01-01, to: 2012-01-03, reason: 年末年始閉庁}
 *   vendors:
 *     A: {capacity_per_week: 1}
 *   business: jumin              # lessons inherited per vendor and business
 *   lessons: lessons.csv         # optional, beside the plan (iko lesson add)
 *   costs:                       # optional 割り勘 (按分) sheet
 *     unit: 人日
 *     items:
 *       - {item: 設計, amount: 0.3, split: shared, vendor: A}  # or split: residents
 *       - {item: テスト検証作業, amount: 1.0, split: each}     # each with its own data
 *   municipalities:
 *     - {lg_code: "435015", name: 錦町, vendor: A, residents: 11407, pilot: true,
 *        ready: 2012-01-30, min_rehearsals: 2, rehearsals_passed: 3}
 *
 * Order: every vendor's pilot (named, or its smallest municipality) first;
 * then the rest, a vendor's municipalities only after its pilot's cutover
 * week (they inherit its lessons), smaller before larger. Each week places
 * the next eligible municipalities within the slots and vendor capacities;
 * every placement carries its reason. A municipality that cannot be placed
 * by `end` is reported with the constraint that blocks it.
 */
#ifndef IKO_SCHEDULE_H
#define IKO_SCHEDULE_H

#include <stddef.h>

#include "iko_date.h"

typedef struct iko_sched_muni {
	char *lg_code, *name, *vendor;
	long long residents;
	int pilot;                 /* named or chosen */
	long ready;                /* day number */
	int min_rehearsals, rehearsals_passed;
	long cutover;              /* day number, or -1 when not placed */
	int order;                 /* position in the cutover order */
	int capacity;              /* its vendor's cutovers per week */
	char reason[256];          /* why here, or why not placed */
	char replanned[160];       /* --actuals: why it moved */
	int earlier;               /* its vendor's cutovers before its own */
	int lessons;               /* recorded lessons it inherits (-1: no lessons file) */
} iko_sched_muni;

/* A cost item (割り勘): shared work split across the municipalities of a
 * vendor (equally or by residents), or work each municipality does itself. */
typedef struct iko_sched_cost {
	char *item, *vendor;       /* vendor NULL: every municipality of the plan */
	double amount;
	int split;                 /* 0 each (its own data), 1 shared equally, 2 shared by residents */
} iko_sched_cost;

typedef struct iko_schedule {
	char *plan;
	long start, end;           /* day numbers (start moved to its Monday) */
	int weekday;               /* 0 = Monday */
	int slots, rehearsal_days;
	size_t n;
	iko_sched_muni *m;
	size_t nblack;
	struct { long from, to; char *reason; } *black;
	int feasible;
	char *business;            /* lessons apply per vendor and business */
	char *lessons_path;        /* NULL: no lessons file */
	size_t ncost;
	iko_sched_cost *cost;
	char *cost_unit;
} iko_schedule;

/*
 * Each municipality's share of each cost item, in hundredths of the unit,
 * rounded so that every item's shares add up to its amount (largest
 * remainder). shares[muni * ncost + item]; 0 where an item does not apply.
 * The caller frees *shares.
 */
int iko_schedule_costs(const iko_schedule *s, long long **shares);

int iko_schedule_load(iko_schedule *s, const char *plan_path);
/*
 * Replan after a slip or a failed gate (--actuals):
 *   as_of: 2012-02-08             # nothing new is placed before this day
 *   actuals:
 *     - {lg_code: "435015", status: done, cutover: 2012-02-03}
 *     - {lg_code: "453617", status: gate_failed, reason: 差異確認未了}   # not before as_of + 7
 *     - {lg_code: "454061", status: slipped, not_before: 2012-02-20, reason: 移行データ修正}
 * Call between iko_schedule_load and iko_schedule_plan.
 */
int iko_schedule_actuals(iko_schedule *s, const char *path);
int iko_schedule_plan(iko_schedule *s);
/*
 * schedule.md, schedule.ics (RFC 5545) and schedule.xlsx (a row per
 * municipality, a column per week coloured by phase: リハーサル, 凍結, 切替,
 * 稼働後; sheets 理由 and 停止期間) into dir.
 */
int iko_schedule_write(const iko_schedule *s, const char *dir);
/* The municipalities in cutover order, unplaced ones last (caller frees the
 * array, not the entries); NULL on ENOMEM. */
iko_sched_muni **iko_schedule_in_order(const iko_schedule *s);
void iko_schedule_free(iko_schedule *s);

/* Day numbers: iko_day_of and iko_day_civil (iko_date.h). */
/* 0 = Monday … 6 = Sunday. */
int iko_day_weekday(long day);

#endif
