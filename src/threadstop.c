#include "config.h"
#include "threadstop.h"
#include "error.h"
#include "tracee.h"
#include "xmalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>

/* A thread in uninterruptible sleep stops only when it leaves it: wait
   this long for all of them, then read the others. */
#define STOP_WAIT_NS (200 * 1000 * 1000L)

struct collect {
	pid_t self;
	struct stopped_threads *out;
	size_t cap;
	pid_t *waiting;		/* interrupted, stop not seen yet */
	size_t nwaiting, capwaiting;
};

static void
add(struct collect *c, pid_t tid, const struct user_regs_struct *regs, bool ours)
{
	struct stopped_threads *s = c->out;
	s->v = xgrow(s->v, &c->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n].tid = tid;
	s->v[s->n].regs = *regs;
	s->v[s->n].ours = ours;
	s->n++;
}

static void
start_stop(struct tracee *t, void *arg)
{
	struct collect *c = arg;
	if (t->tid <= 0 || t->tid == c->self)
		return;
	struct user_regs_struct regs;
	/* GETREGS works only on a thread in a ptrace-stop: one whose event
	   the wait loop has still to take, or one held. */
	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) == 0) {
		add(c, t->tid, &regs, false);
		return;
	}
	/* Stepping over a breakpoint with its int3 out, or not seen yet:
	   a PTRACE_CONT from here would lose the step or the attach stop. */
	if (t->flags & (TF_STEPPING | TF_NEW | TF_HELD)) {
		c->out->missed++;
		return;
	}
	if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0) {
		if (errno != ESRCH)
			c->out->missed++;
		return;
	}
	c->waiting = xgrow(c->waiting, &c->capwaiting, c->nwaiting + 1, sizeof(*c->waiting));
	c->waiting[c->nwaiting++] = t->tid;
}

/* One interrupted thread has reported a stop (left unreaped by WNOWAIT). */
static void
take_stop(struct collect *c, pid_t tid, const siginfo_t *si)
{
	struct user_regs_struct regs;
	if (si->si_code != CLD_TRAPPED)
		return;		/* it exited: the wait loop will tell */
	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) < 0)
		return;
	/* Our interrupt's own stop (PTRACE_EVENT_STOP with SIGTRAP; a
	   group-stop has the stopping signal) is taken here.  Any other stop
	   came first: it is the wait loop's, and the interrupt, still
	   pending, comes later as a stop the loop restarts. */
	bool ours = si->si_status == (SIGTRAP | PTRACE_EVENT_STOP << 8);
	if (ours) {
		int st;
		pid_t r;
		do
			r = waitpid(tid, &st, __WALL | WNOHANG);
		while (r < 0 && errno == EINTR);
		ours = r == tid;
	}
	add(c, tid, &regs, ours);
}

void
threadstop_all(struct process *p, pid_t self, struct stopped_threads *out)
{
	memset(out, 0, sizeof(*out));
	struct collect c = { .self = self, .out = out };
	/* Interrupt them all first, so that they stop together. */
	tracee_for_each(p, start_stop, &c);
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (c.nwaiting) {
		size_t w = 0;
		for (size_t i = 0; i < c.nwaiting; i++) {
			siginfo_t si;
			memset(&si, 0, sizeof(si));
			pid_t tid = c.waiting[i];
			int r = waitid(P_PID, (id_t)tid, &si,
				       WSTOPPED | WEXITED | WNOHANG | WNOWAIT | __WALL);
			if (r < 0 && errno == EINTR) {
				c.waiting[w++] = tid;
				continue;
			}
			if (r < 0)
				continue;	/* gone */
			if (si.si_pid == 0) {
				c.waiting[w++] = tid;
				continue;
			}
			take_stop(&c, tid, &si);
		}
		c.nwaiting = w;
		if (!w)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long waited = (now.tv_sec - start.tv_sec) * 1000000000L +
			      (now.tv_nsec - start.tv_nsec);
		if (waited > STOP_WAIT_NS) {
			debug_msg("pid %d: %zu thread%s did not stop within %ld ms; their stacks "
				  "are not looked at", p->pid, w, w == 1 ? "" : "s",
				  STOP_WAIT_NS / 1000000);
			out->missed += w;
			break;
		}
		struct timespec pause = { 0, 20 * 1000 };
		nanosleep(&pause, NULL);
	}
	free(c.waiting);
}

void
threadstop_resume(struct stopped_threads *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].ours && ptrace(PTRACE_CONT, s->v[i].tid, NULL, NULL) < 0 &&
		    errno != ESRCH)
			perror_msg("resuming thread %d after reading its stack", s->v[i].tid);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
