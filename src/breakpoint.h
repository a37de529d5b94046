/* Software breakpoints (int3) in one address space.  The table travels with
   the process: copied into a forked child, whose memory holds the same int3
   bytes, and dropped at exec. */
#ifndef TA_BREAKPOINT_H
#define TA_BREAKPOINT_H

#include "emulate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum bp_kind {
	BP_RBRK,		/* the dynamic linker's r_brk: a library event */
	BP_DLOPEN,		/* entry of dlopen */
	BP_DLCLOSE,		/* entry of dlclose */
	BP_DLMOPEN,		/* entry of dlmopen */
	BP_DLCLOSE_RET,		/* return address of one dlclose call (temporary) */
};

/* A dlclose call waiting for its return. */
struct ret_waiter {
	pid_t tid;
	uint64_t sp;		/* its stack pointer after the return */
	unsigned int ref;	/* the dlclose event id */
	uint64_t handle;	/* the dlclose argument */
	bool holds_rbrk;	/* r_brk's int3 is out until it returns (solib.c) */
};

/* Threads of one process returning to the same call site at once. */
#define BP_MAX_WAITERS 16

struct breakpoint {
	uint64_t addr;
	enum bp_kind kind;
	uint8_t orig;		/* the byte the int3 replaced */
	struct emulation emu;	/* the original instruction, when it can be emulated */
	unsigned int steppers;	/* threads single-stepping over it right now: the
				   int3 goes back only when the last one is done */
	bool disarmed;		/* kept in the table, its int3 out for a while */
	unsigned int nwaiters;	/* BP_DLCLOSE_RET */
	struct ret_waiter waiters[BP_MAX_WAITERS];
};

/* A breakpoint taken out lately.  A child forked before the removal, but
   whose copy of the table was made after it, still holds the int3. */
struct bp_gone {
	uint64_t addr;
	uint8_t orig;
};

#define BP_GONE_MAX 32

struct bp_table {
	struct breakpoint *v;
	size_t n, cap;
	/* /proc/PID/mem of the address space, for one-call writes of an int3
	   byte: 0 not opened yet, 1 open (mem_fd), -1 not usable. */
	int mem_state;
	int mem_fd;
	struct bp_gone gone[BP_GONE_MAX];	/* remembered while mapped */
	unsigned int ngone;
	unsigned int gone_next;			/* the next to overwrite when full */
};

/* Insert an int3 at addr through the stopped thread tid.  Returns the new
   breakpoint (pointer valid until the table changes), or NULL with a debug
   message if the text cannot be written. */
struct breakpoint *bp_insert(struct bp_table *t, pid_t tid, uint64_t addr, enum bp_kind kind);
/* Restore the original byte and forget the breakpoint. */
void bp_remove(struct bp_table *t, pid_t tid, uint64_t addr);
struct breakpoint *bp_find(struct bp_table *t, uint64_t addr);
/* The return breakpoint of that kind tid waits on, and its entry, if any. */
struct breakpoint *bp_find_waiter(struct bp_table *t, enum bp_kind kind, pid_t tid,
				  struct ret_waiter **w);
/* Take the int3 out through the stopped thread tid but keep the breakpoint
   (a thread that hit it just before is still known to have); put it back. */
void bp_disarm(struct bp_table *t, pid_t tid, struct breakpoint *bp);
void bp_arm(struct bp_table *t, pid_t tid, struct breakpoint *bp);
void bp_table_copy(struct bp_table *dst, const struct bp_table *src);
/* The code at [start, end) was unmapped: forget the breakpoints taken out
   there (what is mapped there next has other bytes). */
void bp_table_forget_range(struct bp_table *t, uint64_t start, uint64_t end);
/* At the first stop of a child forked with its own copy of memory, through
   its thread tid: make that memory agree with its table.  fork copied the
   bytes as they were at the fork, the table was copied when we saw it: an
   int3 another thread was stepping over is missing, one taken out in
   between is still there.  Returns how many bytes were put right. */
unsigned int bp_table_fix_child(struct bp_table *t, pid_t tid);
void bp_table_free(struct bp_table *t);
/* The address space is gone (its process ended): its file goes too. */
void bp_table_close_mem(struct bp_table *t);

#endif
