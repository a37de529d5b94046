#include "config.h"
#include "breakpoint.h"
#include "error.h"
#include "mem.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

#define INT3 0xcc

struct breakpoint *
bp_find(struct bp_table *t, uint64_t addr)
{
	/* A handful of breakpoints per process: linear is fastest. */
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].addr == addr)
			return &t->v[i];
	return NULL;
}

struct breakpoint *
bp_find_waiter(struct bp_table *t, pid_t tid, struct ret_waiter **w)
{
	for (size_t i = 0; i < t->n; i++)
		for (unsigned int k = 0; k < t->v[i].nwaiters; k++)
			if (t->v[i].waiters[k].tid == tid) {
				if (w)
					*w = &t->v[i].waiters[k];
				return &t->v[i];
			}
	return NULL;
}

struct breakpoint *
bp_insert(struct bp_table *t, pid_t tid, uint64_t addr, enum bp_kind kind)
{
	if (bp_find(t, addr)) {
		debug_msg("pid %d: breakpoint at %#llx already set", tid,
			  (unsigned long long)addr);
		return NULL;
	}
	uint8_t code[16];
	size_t n = mem_read_partial(tid, addr, code, sizeof(code));
	uint8_t orig;
	if (!mem_poke_byte(tid, addr, INT3, &orig)) {
		debug_msg("pid %d: cannot write a breakpoint at %#llx", tid,
			  (unsigned long long)addr);
		return NULL;
	}
	t->v = xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	struct breakpoint *bp = &t->v[t->n++];
	memset(bp, 0, sizeof(*bp));
	bp->addr = addr;
	bp->kind = kind;
	bp->orig = orig;
	if (n)
		code[0] = orig;
	emulate_decode(code, n, &bp->emu);
	return bp;
}

void
bp_remove(struct bp_table *t, pid_t tid, uint64_t addr)
{
	struct breakpoint *bp = bp_find(t, addr);
	if (!bp)
		return;
	if (!mem_poke_byte(tid, addr, bp->orig, NULL))
		debug_msg("pid %d: cannot restore the byte at %#llx", tid,
			  (unsigned long long)addr);
	*bp = t->v[--t->n];
}

void
bp_table_copy(struct bp_table *dst, const struct bp_table *src)
{
	dst->n = dst->cap = src->n;
	dst->v = src->n ? xmalloc(src->n * sizeof(*src->v)) : NULL;
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	/* No thread of the copy is stepping or returning from dlclose. */
	for (size_t i = 0; i < dst->n; i++)
		dst->v[i].steppers = dst->v[i].nwaiters = 0;
}

void
bp_table_free(struct bp_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}
