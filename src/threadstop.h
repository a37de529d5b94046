/* The other threads of a traced process, briefly stopped to read their
   registers, without taking from the supervisor's wait loop any stop but
   the ones made here. */
#ifndef TA_THREADSTOP_H
#define TA_THREADSTOP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/user.h>

struct process;

struct stopped_thread {
	pid_t tid;
	struct user_regs_struct regs;
	bool ours;		/* stopped by PTRACE_INTERRUPT here: resumed by
				   threadstop_resume */
};

struct stopped_threads {
	struct stopped_thread *v;
	size_t n;
	size_t missed;		/* threads that could not be stopped in time */
};

/* Stop every thread of p but self (stopped already, being handled) and
   read its registers.  A thread stopped already (an event not yet taken
   by the wait loop, a group-stop) is read as it is and left so; a
   running one is interrupted, and its interrupt stop taken here.  A
   thread single-stepping over a breakpoint, or not yet at its first stop,
   is left alone (missed).  Resume with threadstop_resume. */
void threadstop_all(struct process *p, pid_t self, struct stopped_threads *out);
/* Let the threads stopped here go on, and free out. */
void threadstop_resume(struct stopped_threads *s);

#endif
