/* Shared-library events from the dynamic linker's r_debug interface, and
   the dlopen/dlclose calls behind them. */
#ifndef TA_SOLIB_H
#define TA_SOLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

struct process;
struct breakpoint;
struct elf_file;
struct latent_data;

/* One loaded object, as the link_map chain shows it. */
struct solib {
	uint64_t lm;		/* its struct link_map: also its dlopen handle */
	uint64_t l_addr;	/* load bias */
	uint64_t l_name;	/* where its name is in the tracee */
	uint64_t l_ld;		/* its dynamic section: tells one mapped object */
	unsigned int ns;	/* its link-map namespace: 0 the base, N the Nth
				   on r_debug_extended's r_next chain (dlmopen) */
	/* ld.so's link_map in a namespace other than the base: the same
	   mapped object as the base's ld.so, which glibc 2.35+ enters in
	   each namespace.  No events, no span: it is not loaded or
	   unloaded with the namespace. */
	bool alias;
	char *path;		/* l_name; "" for the main program */
	char *file;		/* its file as the maps name it, NULL if unknown */
	uint64_t start, end;	/* the span of its PT_LOAD segments */
	unsigned int load_event;
	int dlopen_flags;	/* flags of the dlopen that loaded it, or -1 */
	unsigned int dlclose_calls;
	unsigned int dlopen_calls;	/* dlopen calls that returned this object */
	uint64_t ino;		/* inode of its file, 0 if unknown */
	struct elf_file *elf;	/* its file, kept open by the object cache */
};

/* A dlopen seen at its entry, waiting for the loads it causes. */
struct pending_open {
	pid_t tid;
	int flags;
	char *path;		/* the dlopen argument */
	bool dlmopen;		/* dlmopen(lmid, path, flags) */
	long lmid;		/* its lmid: LM_ID_NEWLM (-1), LM_ID_BASE (0), N */
	unsigned int event;	/* its dlopen event */
	/* It holds r_brk's int3 out (the unmap watch on) until a later stop
	   of its thread finds the call returned (see solib.c): the objects
	   it names are taken for its own, and no other's. */
	bool holds;
	uint64_t sp;		/* holds: its stack pointer at the entry */
	bool mapped;		/* holds: an object it names is in the chain now */
};

/* glibc's DL_NNS: at most this many link-map namespaces. */
#define SOLIB_MAX_NS	16

/* One link-map namespace, as its r_debug shows it. */
struct solib_ns {
	uint64_t r_debug;	/* its struct r_debug (r_debug_extended) */
	/* Its chain may differ from what solib_state holds: an RT_ADD or
	   RT_DELETE was seen since it was last read, it was never read, or
	   reading it failed.  Read it at its next RT_CONSISTENT. */
	bool dirty;
	bool lost;		/* its last read failed: history unknown */
	/* Read whole at a consistent state, and never seen at RT_DELETE
	   since: objects can only have been added, at its end (glibc
	   appends; before it takes one out it says RT_DELETE, which r_brk,
	   or with r_brk held out the unmap's stop, shows).  Its next read
	   starts from the last object we know. */
	bool append_only;
	int32_t state;		/* its r_state when r_debug was last read */
	uint64_t hooks_lm;	/* the object (its own libc) whose dlopen and
				   dlclose are hooked, 0: none yet */
};

/* Code unmapped since the unwinder's cache was last flushed. */
struct stale_range {
	uint64_t start, end, ino;
};

struct solib_state {
	bool dynamic;		/* a dynamic linker was found and hooked */
	/* Every library load and unload of this image is recorded: the
	   dynamic linker's r_debug was read at its last library event (or
	   there is none: a static program).  False when ld.so could not be
	   read, no r_debug was found or its link_map chain could not be
	   read: a fault can then not be cleared of an unloaded library, and
	   the diagnosis must say the history is unknown. */
	bool history_known;
	uint64_t r_debug;	/* address of _r_debug */
	uint64_t ld_base;
	bool hooks_planted;	/* dlopen/dlclose breakpoints in libdl or libc */
	bool started;		/* the start-up libraries are loaded */
	uint64_t main_lm;	/* the main program's link_map, head of every chain */
	struct solib *libs;	/* as of the last RT_CONSISTENT */
	size_t n, cap;
	struct pending_open *opens;
	size_t nopens, capopens;
	bool maps_fresh;	/* at RT_DELETE: the snapshot holds what is going */
	bool changing;		/* between RT_ADD/RT_DELETE and RT_CONSISTENT: the
				   dynamic linker maps and unmaps */
	struct stale_range *stale;
	size_t nstale, capstale;
	/* ns[0] is the base namespace (at r_debug); the others follow
	   r_debug_extended.r_next (glibc 2.35+, r_version 2). */
	struct solib_ns ns[SOLIB_MAX_NS];
	unsigned int nns;
	bool ns_unseen;		/* a dlmopen loaded into a namespace the
				   dynamic linker does not show (glibc < 2.35) */
	/* At RT_DELETE: the data of the object the dlclose in flight is
	   about to unmap, as it was before (for the latent check). */
	struct latent_data *closing;
	uint64_t closing_lm;
	/* The r_brk breakpoint, and how many dlopen or dlclose calls in flight
	   hold its int3 out (see rbrk_hold in solib.c). */
	uint64_t rbrk;
	unsigned int rbrk_holds;
	bool rbrk_blind;	/* back, but other threads ran while it was out */
	bool rbrk_forced;	/* in for a dlclose's RT_CONSISTENT all the same */
};

/* After exec: find the dynamic linker and plant the r_brk breakpoint. */
void solib_on_exec(struct process *p, pid_t tid);
/* A running process we attached to (-p), stopped in thread tid: plant the
   r_brk breakpoint and the dlopen/dlclose hooks, and record the libraries
   already loaded as loaded before the attach. */
void solib_on_attach(struct process *p, pid_t tid);
/* A breakpoint of ours was hit by tid; regs are its registers with rip at
   the breakpoint.  The handler may change regs (and the breakpoint table). */
void solib_on_breakpoint(struct process *p, pid_t tid, struct breakpoint *bp,
			 struct user_regs_struct *regs);
/* Thread tid of p stopped for something other than a breakpoint (an unmap,
   a fault): while a dlopen or dlclose holds r_brk's int3 out, read r_debug
   now, as r_brk would have had it read. */
void solib_catch_up(struct process *p, pid_t tid);
/* Thread tid of p is gone, p lives on: no call of it will return. */
void solib_thread_gone(struct process *p, pid_t tid);
/* A forked child starts with a copy of its parent's state. */
void solib_state_copy(struct solib_state *dst, const struct solib_state *src);
void solib_state_free(struct solib_state *s);

/* Thread tid is inside a dlopen that loads something: the dynamic linker
   maps (and unmaps the slack of) what it loads before it says RT_ADD. */
bool solib_loading(const struct solib_state *s, pid_t tid);
const struct solib *solib_find_handle(const struct solib_state *s, uint64_t lm);
/* "LM_ID_NEWLM", "LM_ID_BASE" or the number: a dlmopen lmid argument. */
void solib_format_lmid(long lmid, char *buf, size_t size);
/* Readable names of dlopen flags, e.g. "RTLD_NOW|RTLD_NODELETE". */
void solib_format_flags(int flags, char *buf, size_t size);

#endif
