#include "config.h"
#include "breakpoint.h"
#include "error.h"
#include "mem.h"
#include "xmalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
bp_find_waiter(struct bp_table *t, enum bp_kind kind, pid_t tid, struct ret_waiter **w)
{
	for (size_t i = 0; i < t->n; i++)
		for (unsigned int k = 0; k < t->v[i].nwaiters; k++)
			if (t->v[i].kind == kind && t->v[i].waiters[k].tid == tid) {
				if (w)
					*w = &t->v[i].waiters[k];
				return &t->v[i];
			}
	return NULL;
}

/* One byte of the tracee's text, written through the stopped thread tid's
   /proc/PID/mem in one call (ptrace takes a read and a write), or by ptrace
   where that file cannot be written. */
static bool
write_byte(struct bp_table *t, pid_t tid, uint64_t addr, uint8_t byte)
{
	if (!t->mem_state) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)tid);
		t->mem_fd = open(path, O_RDWR | O_CLOEXEC);
		t->mem_state = t->mem_fd >= 0 ? 1 : -1;
	}
	if (t->mem_state > 0) {
		if (pwrite(t->mem_fd, &byte, 1, (off_t)addr) == 1)
			return true;
		debug_msg("pid %d: writing /proc/%d/mem failed; breakpoints go in by ptrace",
			  tid, tid);
		close(t->mem_fd);
		t->mem_state = -1;
	}
	return mem_poke_byte(tid, addr, byte, NULL);
}

static struct bp_gone *
gone_find(struct bp_table *t, uint64_t addr)
{
	for (unsigned int i = 0; i < t->ngone; i++)
		if (t->gone[i].addr == addr)
			return &t->gone[i];
	return NULL;
}

static void
gone_drop(struct bp_table *t, struct bp_gone *g)
{
	*g = t->gone[--t->ngone];
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
	uint8_t orig = n ? code[0] : 0;
	if (n ? !write_byte(t, tid, addr, INT3) : !mem_poke_byte(tid, addr, INT3, &orig)) {
		debug_msg("pid %d: cannot write a breakpoint at %#llx", tid,
			  (unsigned long long)addr);
		return NULL;
	}
	/* An int3 of ours left behind (see bp_table_fix_child) is not the
	   original byte. */
	struct bp_gone *g = gone_find(t, addr);
	if (g) {
		if (orig == INT3)
			orig = g->orig;
		gone_drop(t, g);
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
bp_disarm(struct bp_table *t, pid_t tid, struct breakpoint *bp)
{
	if (bp->disarmed)
		return;
	bp->disarmed = true;
	/* A thread stepping over it has the byte out already. */
	if (!bp->steppers && !write_byte(t, tid, bp->addr, bp->orig))
		debug_msg("pid %d: cannot restore the byte at %#llx", tid,
			  (unsigned long long)bp->addr);
}

void
bp_arm(struct bp_table *t, pid_t tid, struct breakpoint *bp)
{
	if (!bp->disarmed)
		return;
	bp->disarmed = false;
	if (!bp->steppers && !write_byte(t, tid, bp->addr, INT3))
		debug_msg("pid %d: cannot write a breakpoint at %#llx", tid,
			  (unsigned long long)bp->addr);
}

void
bp_remove(struct bp_table *t, pid_t tid, uint64_t addr)
{
	struct breakpoint *bp = bp_find(t, addr);
	if (!bp)
		return;
	if (!bp->disarmed && !write_byte(t, tid, addr, bp->orig))
		debug_msg("pid %d: cannot restore the byte at %#llx", tid,
			  (unsigned long long)addr);
	struct bp_gone *g = gone_find(t, addr);
	if (!g && t->ngone < BP_GONE_MAX) {
		g = &t->gone[t->ngone++];
	} else if (!g) {
		/* Full: the entries are overwritten in turn. */
		g = &t->gone[t->gone_next];
		t->gone_next = (t->gone_next + 1) % BP_GONE_MAX;
	}
	g->addr = addr;
	g->orig = bp->orig;
	*bp = t->v[--t->n];
}

void
bp_table_forget_range(struct bp_table *t, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < t->ngone;) {
		if (t->gone[i].addr >= start && t->gone[i].addr < end)
			gone_drop(t, &t->gone[i]);
		else
			i++;
	}
}

unsigned int
bp_table_fix_child(struct bp_table *t, pid_t tid)
{
	unsigned int fixed = 0;
	uint8_t byte;
	for (size_t i = 0; i < t->n; i++) {
		const struct breakpoint *bp = &t->v[i];
		if (!mem_read(tid, bp->addr, &byte, 1) || byte == INT3)
			continue;
		if (byte != bp->orig) {
			debug_msg("pid %d: at %#llx a forked child holds %#x, neither the int3 nor "
				  "the original byte %#x: left alone", tid,
				  (unsigned long long)bp->addr, byte, bp->orig);
			continue;
		}
		if (mem_poke_byte(tid, bp->addr, INT3, NULL))
			fixed++;
	}
	for (unsigned int i = 0; i < t->ngone; i++) {
		const struct bp_gone *g = &t->gone[i];
		if (bp_find(t, g->addr) || g->orig == INT3 ||
		    !mem_read(tid, g->addr, &byte, 1) || byte != INT3)
			continue;
		if (mem_poke_byte(tid, g->addr, g->orig, NULL))
			fixed++;
	}
	return fixed;
}

void
bp_table_copy(struct bp_table *dst, const struct bp_table *src)
{
	dst->n = dst->cap = src->n;
	dst->v = src->n ? xmalloc(src->n * sizeof(*src->v)) : NULL;
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(*src->v));
	/* No thread of the copy is stepping or returning from a call, and
	   none holds an int3 out (bp_table_fix_child puts it back). */
	for (size_t i = 0; i < dst->n; i++) {
		dst->v[i].steppers = dst->v[i].nwaiters = 0;
		dst->v[i].disarmed = false;
	}
	memcpy(dst->gone, src->gone, sizeof(dst->gone));
	/* The copy is another address space: its own file, when needed. */
	dst->mem_state = 0;
	dst->mem_fd = -1;
	dst->ngone = src->ngone;
	dst->gone_next = src->gone_next;
}

void
bp_table_close_mem(struct bp_table *t)
{
	if (t->mem_state > 0)
		close(t->mem_fd);
	t->mem_state = -1;
}

void
bp_table_free(struct bp_table *t)
{
	bp_table_close_mem(t);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
