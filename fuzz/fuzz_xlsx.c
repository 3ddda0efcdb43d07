/*
 * fuzz_xlsx.c — the xlsx review reader (reports/iko_xlsx_read.c: libzip,
 * expat, workbook relationships, shared strings, cells): the input is
 * written to book.xlsx, opened, and every sheet read; every cell's text
 * also goes through iko_xlsx_serial_date and its address through
 * iko_xlsx_cell_name, as `iko review import` does.
 */
#include "fuzz_common.h"

#include "iko_xlsx_read.h"

static int cell(void *ud, unsigned row, unsigned col, const char *text, int is_number)
{
	char name[16], date[11];
	size_t *n = ud;

	iko_xlsx_cell_name(name, sizeof(name), row, col);
	if (is_number) {
		(void)iko_xlsx_serial_date(date, text, 0);
		(void)iko_xlsx_serial_date(date, text, 1);
	}
	return ++*n > 100000; /* stop a runaway sheet */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[512];
	iko_xlsx *x = NULL;
	size_t i, n = 0;

	fz_path(path, sizeof(path), "book.xlsx");
	fz_write(path, data, size);
	if (iko_xlsx_open(&x, path) == 0) {
		for (i = 0; i < iko_xlsx_nsheets(x); i++) {
			(void)iko_xlsx_sheet_name(x, i);
			(void)iko_xlsx_read_sheet(x, i, cell, &n);
		}
		iko_xlsx_close(x);
	}
	iko_error_clear();
	return 0;
}
