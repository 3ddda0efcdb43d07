/*
 * iko_mem.h — big tables in transparent huge pages.
 *
 * A table of HUGE bytes or more (a key map's slots, entries or key blocks;
 * validate's hash set) is mapped 2 MiB-aligned and the kernel asked to back
 * it with transparent huge pages (madvise MADV_HUGEPAGE; where the kernel
 * has them off, 4 KiB pages work the same). A million keys touch tens of
 * megabytes in random order: in 4 KiB pages every first touch was a page
 * fault, microseconds each on a virtual machine, and the random probes
 * missed the TLB besides. Under HUGE bytes, plain malloc/calloc, so that
 * small tables (most of them) keep small pages.
 */
#ifndef IKO_MEM_H
#define IKO_MEM_H

#include <stddef.h>

#define IKO_MEM_HUGE ((size_t)2 << 20) /* a transparent huge page on x86-64 and arm64 */

/*
 * bytes of memory, zeroed when zero is set (a mapping always is); NULL
 * when out of memory. *mapped: the bytes to give to iko_big_free, 0 when
 * malloc'd.
 */
void *iko_big_alloc(size_t bytes, int zero, size_t *mapped);
void iko_big_free(void *p, size_t mapped);

#endif
