/* One system call run in a stopped thread of the tracee, as a debugger's
   inferior call runs a function: its registers (and the stack bytes the
   call writes) saved before and put back after, exactly. */
#ifndef TA_INJECT_H
#define TA_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct process;

/* Memory the call writes into: len bytes (at most 256) on the thread's
   stack below its red zone, passed as argument number arg (0-5); what
   the call left there is copied into out. */
struct inject_buffer {
	unsigned int arg;
	size_t len;
	void *out;
};

/* Run syscall nr with args in thread tid of p, which must be in a
   ptrace-stop whose status was taken (the thread being handled).  The
   call runs at a `syscall` instruction found in the process's code (the
   vDSO first); single-stepped, so nothing else of the tracee runs.  A
   signal that comes first is sent again after.  True with *ret the
   call's return value (-errno on failure); false when it could not be
   run (the thread is then as it was, or gone). */
bool inject_syscall(struct process *p, pid_t tid, long nr, const uint64_t args[6],
		    const struct inject_buffer *buf, long *ret);

#endif
