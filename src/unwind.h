/* Remote stack walking.  Callers see only unwind_thread_walk(); the backend
   (libunwind-ptrace today) sits behind a small table of function pointers so
   another one (libdw) can be added without touching them. */
#ifndef TA_UNWIND_H
#define TA_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* The deepest walk we ever do: a stack 100,000 frames deep must not make a
   report slow or huge. */
#define UNWIND_MAX_FRAMES 64

struct unwind_backend {
	const char *name;
	/* Walk the stack of stopped thread tid of process pid, storing up to
	   max program counters (pcs[0] is the current pc).  The walk starts
	   from regs (which may differ from the thread's own) or, when NULL,
	   from the thread's registers.  Returns the count. */
	size_t (*walk)(pid_t pid, pid_t tid, const struct user_regs_struct *regs,
		       uint64_t *pcs, size_t max);
	/* The process's mappings changed: drop cached unwind info. */
	void (*flush)(pid_t pid);
	/* The process image is gone (exit, exec): drop everything about it. */
	void (*forget)(pid_t pid);
};

extern const struct unwind_backend unwind_libunwind;

size_t unwind_thread_walk(pid_t pid, pid_t tid, const struct user_regs_struct *regs,
			  uint64_t *pcs, size_t max);
void unwind_flush(pid_t pid);
void unwind_forget(pid_t pid);

#endif
