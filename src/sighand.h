/* The signal handlers a process has installed: the kernel's table, which
   no memory scan sees, read with rt_sigaction run in a stopped thread. */
#ifndef TA_SIGHAND_H
#define TA_SIGHAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct process;

struct sig_handler {
	int sig;
	uint64_t handler;	/* sa_handler or sa_sigaction */
	uint64_t flags;		/* SA_* */
	uint64_t restorer;	/* sa_restorer (SA_RESTORER), else 0 */
};

/* A process's table as last read, while nothing can have changed it: the
   seccomp filter stops every rt_sigaction that sets an action, and no
   handler was installed with SA_RESETHAND (which the kernel undoes at
   delivery, unseen).  A new image starts unknown. */
struct sighand_cache {
	bool known;
	size_t n;
	struct sig_handler v[64];
};

/* The signals thread tid's process catches (SigCgt), as a mask of bit
   sig - 1; false if /proc cannot tell. */
bool sighand_caught(pid_t tid, uint64_t *mask);
/* The handler of sig, read through thread tid (ptrace-stopped, being
   handled). */
bool sighand_get(struct process *p, pid_t tid, int sig, struct sig_handler *h);
/* The handlers of every caught signal; returns how many were read into
   out (at most 64).  With watched (every change of p's table stops, see
   unmapwatch.h), the result is kept in p's cache and given again until
   sighand_forget. */
size_t sighand_read_all(struct process *p, pid_t tid, bool watched,
			struct sig_handler out[64]);
/* Whether sighand_read_all(p, ..., watched, ...) would give the kept
   table, with no call run in the thread. */
bool sighand_kept(const struct process *p, bool watched);
/* p's table may have changed: read it again next time. */
void sighand_forget(struct process *p);

#endif
