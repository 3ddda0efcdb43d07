/*
 * iko_mem.c — big tables in transparent huge pages (iko_mem.h).
 */
#include "iko_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

void *iko_big_alloc(size_t bytes, int zero, size_t *mapped)
{
	const size_t huge = IKO_MEM_HUGE;
	size_t len, total;
	char *p, *a;

	*mapped = 0;
	if (bytes < huge)
		return zero ? calloc(1, bytes) : malloc(bytes);
	len = (bytes + huge - 1) & ~(huge - 1);
	total = len + huge;
	p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* the aligned len bytes inside; the rest is given back */
	a = (char *)(((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (p + total > a + len)
		munmap(a + len, (size_t)(p + total - (a + len)));
	(void)madvise(a, len, MADV_HUGEPAGE); /* a hint: 4 KiB pages work too */
	*mapped = len;
	return a;
}

void iko_big_free(void *p, size_t mapped)
{
	if (!p)
		return;
	if (mapped)
		munmap(p, mapped);
	else
		free(p);
}
