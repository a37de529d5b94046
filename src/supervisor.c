#include "config.h"
#include "supervisor.h"
#include "attach.h"
#include "breakpoint.h"
#include "clock.h"
#include "error.h"
#include "mem.h"
#include "solib.h"
#include "stats.h"
#include "stopwait.h"
#include "tracee.h"
#include "unmapwatch.h"
#include "unwind.h"
#include "xmalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#define TRACE_OPTIONS (PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
		       PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP)

static pid_t root_pid;
static volatile sig_atomic_t root_alive;
static volatile sig_atomic_t signals_received;
/* -p: the processes were running before us and are not ours to stop. */
static volatile sig_atomic_t attach_mode;
static volatile sig_atomic_t detach_requested;
static bool detaching;

/* SIGINT/SIGTERM/SIGHUP sent to us go to the command, as they would
   without us in between; we carry on until it has ended, so the report is
   complete.  Signals the terminal sends to the whole foreground group
   (si_code SI_KERNEL) already reached the command: not sent twice. */
static void
forward_signal(int sig, siginfo_t *info, void *ctx)
{
	(void)ctx;
	if (attach_mode) {
		/* The wait loop sees the request when wait4 returns; should
		   the signal come just before wait4, the alarm wakes it. */
		if (!detach_requested)
			alarm(1);
		detach_requested = 1;
		return;
	}
	/* A second one means "stop now": the wait loop kills what it traces. */
	signals_received++;
	if (info && info->si_code == SI_KERNEL)
		return;
	if (root_alive && signals_received == 1)
		kill(root_pid, sig);
}

static void
install_forwarding(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward_signal;
	/* No SA_RESTART: wait4 must return to look at signals_received. */
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* A status of the command's taken while waiting for its exec, for the
   wait loop to see first. */
static bool have_early_status;
static int early_status;

/* Until the command's exec succeeds or fails (the error pipe, err, is
   readable or closed): the filter is on in the child by then, and what
   runs before the exec may make its stops (valgrind's execve calls
   rt_sigaction): they are let go here, where no wait loop runs yet.  The
   exec's own event, or the child's end, is kept for the loop. */
static void
wait_for_exec(pid_t pid, int err)
{
	for (;;) {
		struct pollfd pfd = { err, POLLIN, 0 };
		if (poll(&pfd, 1, 10) > 0)
			return;
		int status;
		pid_t w = waitpid(pid, &status, __WALL | WNOHANG);
		if (w != pid)
			continue;
		if (WIFSTOPPED(status) && status >> 8 == (SIGTRAP | PTRACE_EVENT_SECCOMP << 8)) {
			ptrace(PTRACE_CONT, pid, NULL, NULL);
			continue;
		}
		/* A signal before the exec goes on to the child. */
		if (WIFSTOPPED(status) && status >> 16 == 0 && WSTOPSIG(status) != SIGTRAP) {
			ptrace(PTRACE_CONT, pid, NULL, (void *)(long)WSTOPSIG(status));
			continue;
		}
		early_status = status;
		have_early_status = true;
		return;
	}
}

static void
restore_default_signals(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
}

int
supervisor_spawn(char **argv, int *exit_status_on_failure)
{
	int go[2], err[2];
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		perror_msg_and_die("creating pipes to start '%s'", argv[0]);
	install_forwarding();

	pid_t pid = fork();
	if (pid < 0)
		perror_msg_and_die("fork to start '%s'", argv[0]);
	if (pid == 0) {
		restore_default_signals();
		close(go[1]);
		close(err[0]);
		/* Wait until the parent has seized us. */
		char c;
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		/* Seized with PTRACE_O_TRACESECCOMP by now: the filter's stops
		   have a tracer.  Without it the command still runs. */
		unmapwatch_install();
		execvp(argv[0], argv);
		int e = errno;
		ssize_t unused = write(err[1], &e, sizeof(e));
		(void)unused;
		_exit(e == ENOENT ? 127 : 126);
	}
	close(go[0]);
	close(err[1]);
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)TRACE_OPTIONS) < 0) {
		int e = errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		errno = e;
		if (e == EPERM)
			error_msg("ptrace is not permitted here (%s): run as a user allowed to trace, "
				  "or lower /proc/sys/kernel/yama/ptrace_scope, or in a container add "
				  "CAP_SYS_PTRACE", strerror(e));
		else
			perror_msg("ptrace(PTRACE_SEIZE) of the command");
		*exit_status_on_failure = 1;
		return -1;
	}
	root_pid = pid;
	root_alive = 1;
	struct process *pre = process_new(pid, getpid());
	pre->exe = xstrdup(argv[0]);
	struct tracee *t = tracee_new(pid, pre);
	(void)t;

	if (write(go[1], "g", 1) != 1)
		perror_msg_and_die("starting '%s'", argv[0]);
	close(go[1]);

	/* The error pipe closes at a successful exec; a failed one sends errno. */
	wait_for_exec(pid, err[0]);
	int e = 0;
	ssize_t n;
	while ((n = read(err[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(err[0]);
	if (n == sizeof(e)) {
		int status;
		if (have_early_status)
			have_early_status = false;
		else
			while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR)
				;
		root_alive = 0;
		error_msg("cannot run '%s': %s", argv[0], strerror(e));
		*exit_status_on_failure = e == ENOENT ? 127 : 126;
		return -1;
	}
	return 0;
}

static void
resume(pid_t tid, int sig)
{
	/* ESRCH: it died under us; wait() will tell how. */
	if (ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig) < 0 && errno != ESRCH)
		perror_msg("resuming thread %d", tid);
	/* Detaching: back it comes, at its next chance (see detach_on_stop). */
	else if (detaching)
		ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
}

static void
single_step(pid_t tid)
{
	if (ptrace(PTRACE_SINGLESTEP, tid, NULL, NULL) < 0 && errno != ESRCH)
		perror_msg("single-stepping thread %d", tid);
}

/* Resume a thread after a stop that was not its step's end: a thread on
   its way over a breakpoint goes on stepping. */
static void
restart(struct tracee *t)
{
	if (t->flags & TF_STEPPING)
		single_step(t->tid);
	else
		resume(t->tid, 0);
}

/* The step over the breakpoint at t->step_addr is over (or given up):
   the int3 goes back when no other thread is stepping over it. */
static void
step_end(struct tracee *t)
{
	t->flags &= ~TF_STEPPING;
	struct breakpoint *bp = bp_find(&t->proc->bps, t->step_addr);
	if (bp && bp->steppers && --bp->steppers == 0 && !bp->disarmed)
		mem_poke_byte(t->tid, bp->addr, 0xcc, NULL);
}

/* A stop during a step, before the stepped instruction ran (a signal to
   deliver, a group-stop): the step is given up, the int3 goes back, and
   when the thread comes back to it (from its signal handler, or from the
   stop) the breakpoint's event is not handled a second time.  Returns
   false when the instruction did run: the step's own trap is still to be
   reported. */
static bool
step_give_up(struct tracee *t)
{
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) < 0 || regs.rip != t->step_addr)
		return false;
	step_end(t);
	t->flags |= TF_REHIT;
	t->rehit_addr = t->step_addr;
	t->rehit_sp = regs.rsp;
	return true;
}

/* Read Tgid and PPid of a new tracee from /proc. */
static void
read_ids(pid_t tid, pid_t *tgid, pid_t *ppid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	*tgid = tid;
	*ppid = 0;
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Tgid:", 5) == 0)
			*tgid = (pid_t)atoi(line + 5);
		else if (strncmp(line, "PPid:", 5) == 0)
			*ppid = (pid_t)atoi(line + 5);
	}
	fclose(f);
}

/* A tracee we have not seen yet: a new thread joins its process; a new
   process starts as a copy of its parent, breakpoints included (the int3
   bytes were copied with the memory). */
enum child_kind {
	CHILD_UNKNOWN,		/* look in /proc */
	CHILD_THREAD,
	CHILD_PROCESS,
};

static void
copy_argv(struct process *dst, const struct process *src)
{
	size_t n = 0;
	while (src->argv && src->argv[n])
		n++;
	dst->argv = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		dst->argv[i] = xstrdup(src->argv[i]);
}

static void
copy_maps(struct maps_snapshot *dst, const struct maps_snapshot *src)
{
	dst->n = src->n;
	dst->skipped = 0;
	dst->v = xcalloc(src->n ? src->n : 1, sizeof(*dst->v));
	for (size_t i = 0; i < src->n; i++)
		map_entry_copy(&dst->v[i], &src->v[i]);
}

/* A tracee we have not seen yet: a new thread joins its process; a new
   process starts as a copy of its parent (memory, breakpoints, mappings,
   command line) until it execs.  The kind comes from the ptrace event when
   we have it, else from /proc. */
static struct tracee *
adopt(pid_t tid, pid_t parent_tid, enum child_kind kind)
{
	pid_t tgid = tid, ppid = 0;
	struct tracee *pt = parent_tid ? tracee_find(parent_tid) : NULL;
	if (kind == CHILD_UNKNOWN || !pt) {
		read_ids(tid, &tgid, &ppid);
		kind = tgid != tid ? CHILD_THREAD : CHILD_PROCESS;
	} else if (kind == CHILD_THREAD) {
		tgid = pt->proc->pid;
	}
	struct tracee *leader = tracee_find(tgid);
	if (kind == CHILD_THREAD && leader) {
		struct tracee *t = tracee_new(tid, leader->proc);
		t->flags |= TF_NEW;
		return t;
	}
	if (!pt)
		pt = tracee_find(ppid);
	struct process *parent = pt ? pt->proc : NULL;
	struct process *p = process_new(tid, parent ? parent->pid : ppid);
	if (parent) {
		p->exe = parent->exe ? xstrdup(parent->exe) : NULL;
		p->attached = parent->attached;
		copy_argv(p, parent);
		bp_table_copy(&p->bps, &parent->bps);
		solib_state_copy(&p->solib, &parent->solib);
		/* fork copied the address space as our snapshot last saw it. */
		copy_maps(&p->maps, &parent->maps);
		p->maps_read_at = parent->maps_read_at;
	} else {
		process_read_identity(p);
	}
	struct tracee *t = tracee_new(tid, p);
	t->flags |= TF_NEW;
	if (parent && (p->bps.n || p->bps.ngone)) {
		t->flags |= TF_FORK_CHILD;
		/* The thread that forked, not the leader: it may have exited. */
		t->fork_parent = parent_tid ? parent_tid : pt->tid;
	}
	return t;
}

/* A forked child's memory is made to agree with its copy of the breakpoint
   table (see bp_table_fix_child), unless the child shares the parent's
   memory (vfork, posix_spawn), where the parent's own table holds. */
static void
fix_fork_child(struct tracee *t)
{
	t->flags &= ~TF_FORK_CHILD;
	if (t->fork_parent > 0 &&
	    syscall(SYS_kcmp, t->fork_parent, t->tid, KCMP_VM, 0, 0) == 0)
		return;
	unsigned int n = bp_table_fix_child(&t->proc->bps, t->tid);
	if (n)
		debug_msg("pid %d: %u breakpoint byte%s put right after the fork", t->tid, n,
			  n > 1 ? "s" : "");
}

/* clone() or clone3() as the parent made it: a thread, or a process? */
static enum child_kind
clone_kind(pid_t parent)
{
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, parent, NULL, &regs) < 0)
		return CHILD_UNKNOWN;
	uint64_t flags;
	if (regs.orig_rax == SYS_clone)
		flags = regs.rdi;
	else if (regs.orig_rax == SYS_clone3 && mem_read_u64(parent, regs.rdi, &flags))
		;
	else
		return CHILD_UNKNOWN;
	return (flags & CLONE_THREAD) ? CHILD_THREAD : CHILD_PROCESS;
}

static void detach_vfork_child(struct tracee *t);

/* Whether pid is traced by us now (TracerPid in its status). */
static bool
traced_by_us(pid_t pid)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	int tracer = 0;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "TracerPid: %d", &tracer) == 1)
			break;
	fclose(f);
	return tracer == getpid();
}

static void
on_new_child(struct tracee *t, unsigned int event)
{
	unsigned long msg;
	if (ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &msg) < 0)
		return;
	pid_t child = (pid_t)msg;
	struct tracee *c = tracee_find(child);
	/* Its own stops can come first: a quick child may have exec'd and
	   ended before we see its parent's event.  No ghost for it. */
	if (!c && !traced_by_us(child))
		return;
	if (!c)
		c = adopt(child, t->tid,
			  event == PTRACE_EVENT_CLONE ? clone_kind(t->tid) : CHILD_PROCESS);
	if (event == PTRACE_EVENT_VFORK) {
		c->flags |= TF_VFORKED;
		/* Held before we knew: its parent cannot stop until it goes. */
		if (c->flags & TF_HELD)
			detach_vfork_child(c);
	}
}

static void
on_exec(struct tracee *t)
{
	unsigned long msg = 0;
	ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &msg);
	pid_t former = (pid_t)msg;
	if (former && former != t->tid) {
		/* A non-leader thread exec'd and now has the leader's pid. */
		struct tracee *old = tracee_find(former);
		if (old && old != t)
			tracee_drop(old, 0);
	}
	/* What the thread did in the old image is no concern of the new one:
	   a step over an int3 that is gone with it, a fault already reported
	   (the new image's own faults must be). */
	t->flags &= ~(TF_STEPPING | TF_REPORTED | TF_VFORKED);
	t->step_addr = 0;
	struct process *old = t->proc;
	unwind_forget(old->pid);
	struct process *image = process_new(old->pid, old->parent_pid);
	image->attached = old->attached;
	process_end_by_exec(old, image);
	t->proc = image;
	image->nthreads = 1;
	process_read_identity(image);
	timeline_add(&image->timeline, TL_EXEC, t->tid, image->exe);
	if (!image->attached)
		unmapwatch_note_state(t->tid);
	solib_on_exec(image, t->tid);
}

/* One of our breakpoints was hit: handle it, then go on past it. */
static bool
on_breakpoint(struct tracee *t, struct breakpoint *bp, struct user_regs_struct *regs)
{
	struct process *p = t->proc;
	uint64_t addr = regs->rip - 1;
	stats.breakpoint_hits++;
	regs->rip = addr;
	/* Back at a breakpoint whose step was given up for a signal: its
	   event was handled the first time. */
	bool again = (t->flags & TF_REHIT) && addr == t->rehit_addr && regs->rsp == t->rehit_sp;
	t->flags &= ~TF_REHIT;
	if (!again)
		solib_on_breakpoint(p, t->tid, bp, regs);
	/* The handler may have changed the table: look again. */
	bp = bp_find(&p->bps, addr);
	if (!bp) {
		ptrace(PTRACE_SETREGS, t->tid, NULL, regs);
		resume(t->tid, 0);
		return true;
	}
	if (emulate_apply(t->tid, &bp->emu, addr, regs)) {
		stats.emulated++;
		ptrace(PTRACE_SETREGS, t->tid, NULL, regs);
		resume(t->tid, 0);
		return true;
	}
	regs->rip = addr;
	ptrace(PTRACE_SETREGS, t->tid, NULL, regs);
	/* Step over the original instruction with the int3 taken out.  Other
	   threads may pass meanwhile without stopping: a dlopen or dlclose
	   they make in that window is missed (library events are not: r_brk
	   is emulated, never stepped). */
	if (bp->steppers++ == 0)
		mem_poke_byte(t->tid, addr, bp->orig, NULL);
	t->flags |= TF_STEPPING;
	t->step_addr = addr;
	stats.single_steps++;
	single_step(t->tid);
	return true;
}

/* A SIGTRAP: the end of a single-step over a breakpoint, one of our
   breakpoints, or the program's own trap (returns false: deliver it). */
static bool
on_sigtrap(struct tracee *t)
{
	struct process *p = t->proc;
	struct user_regs_struct regs;
	/* The common case, one of our int3s, needs the registers only. */
	if (!(t->flags & TF_STEPPING) && ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) == 0) {
		struct breakpoint *bp = bp_find(&p->bps, regs.rip - 1);
		if (bp)
			return on_breakpoint(t, bp, &regs);
	}
	siginfo_t si;
	if (ptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si) < 0)
		return false;
	if (t->flags & TF_STEPPING) {
		/* The step itself traps with TRAP_TRACE, past the instruction
		   (a rep-prefixed one may need more than one step). */
		if (si.si_code == TRAP_TRACE) {
			if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) == 0 &&
			    regs.rip == t->step_addr) {
				single_step(t->tid);
				return true;
			}
			step_end(t);
			resume(t->tid, 0);
			return true;
		}
		/* An int3 instead means the breakpoint was removed and planted
		   anew while this thread was on its way: it hit the new one and
		   has not stepped. */
		if (si.si_code == SI_KERNEL) {
			step_end(t);
		} else {
			/* Someone's SIGTRAP: delivered, the step taken up again
			   when the thread is back. */
			step_give_up(t);
			return false;
		}
	}
	if (si.si_code != SI_KERNEL && si.si_code != TRAP_BRKPT)
		return false;
	if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) < 0)
		return false;
	uint64_t addr = regs.rip - 1;
	struct breakpoint *bp = bp_find(&p->bps, addr);
	if (!bp) {
		/* Two threads can hit one int3 at once; if the first one's
		   handler removed it, the second one's trap is still ours.  No
		   int3 in memory there any more proves it. */
		uint8_t byte;
		if (si.si_code == SI_KERNEL && mem_read(t->tid, addr, &byte, 1) && byte != 0xcc) {
			regs.rip = addr;
			ptrace(PTRACE_SETREGS, t->tid, NULL, &regs);
			resume(t->tid, 0);
			return true;
		}
		return false;
	}
	return on_breakpoint(t, bp, &regs);
}

/* Handing a process to a debugger: every thread stopped where we can
   detach it, none left on one of our int3s. */
struct detach_state {
	struct tracee *faulting;
};

static void
stop_thread_for_detach(struct tracee *t, void *arg)
{
	struct detach_state *ds = arg;
	t->flags &= ~TF_NEW;
	if (t == ds->faulting)
		return;
	if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0)
		return;
	int st;
	for (;;) {
		pid_t r = waitpid(t->tid, &st, __WALL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || !WIFSTOPPED(st)) {
			t->tid = -1;	/* gone */
			return;
		}
		break;
	}
	t->pending_sig = 0;
	int sig = WSTOPSIG(st);
	if ((st >> 16) == 0 && sig == SIGTRAP) {
		/* It may have just hit one of our int3s: back to the instruction. */
		struct user_regs_struct regs;
		if (ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) == 0 &&
		    bp_find(&t->proc->bps, regs.rip - 1)) {
			regs.rip--;
			ptrace(PTRACE_SETREGS, t->tid, NULL, &regs);
		}
	} else if ((st >> 16) == 0 && sig != SIGSTOP) {
		/* A signal on its way: it is delivered at the detach. */
		t->pending_sig = sig;
	}
}

static void
detach_thread(struct tracee *t, void *arg)
{
	(void)arg;
	if (t->tid > 0) {
		if (ptrace(PTRACE_DETACH, t->tid, NULL, (void *)(long)t->pending_sig) < 0 &&
		    errno != ESRCH)
			perror_msg("detaching thread %d", t->tid);
	}
	tracee_forget(t);
}

/* Leave p stopped and untraced, with the faulting thread on the faulting
   instruction: when a debugger resumes it, it faults again, there. */
static void
detach_for_debugger(struct tracee *faulting)
{
	struct process *p = faulting->proc;
	struct detach_state ds = { faulting };
	tracee_for_each(p, stop_thread_for_detach, &ds);
	for (size_t i = 0; i < p->bps.n; i++)
		mem_poke_byte(faulting->tid, p->bps.v[i].addr, p->bps.v[i].orig, NULL);
	bp_table_free(&p->bps);
	faulting->pending_sig = 0;
	/* Pending when the threads leave their ptrace stops: every one of
	   them stops at once, before running a single instruction. */
	kill(p->pid, SIGSTOP);
	tracee_for_each(p, detach_thread, NULL);
	p->detached = true;
}

static pid_t debugger_pid = -1;

/* A process we detached from can still be our child (the command itself):
   its end is reported to us as its parent. */
static bool
on_untraced_exit(pid_t pid, int status)
{
	if (pid == debugger_pid) {
		/* gdb leaves a process stopped as it found it.  Let it go on:
		   it faults again and ends as it would have. */
		debugger_pid = -1;
		for (struct process *p = process_list; p; p = p->next)
			if (p->detached && !p->ended)
				kill(p->pid, SIGCONT);
		return true;
	}
	for (struct process *p = process_list; p; p = p->next)
		if (p->pid == pid && p->detached && !p->ended) {
			if (WIFEXITED(status) || WIFSIGNALED(status)) {
				p->ended = true;
				p->wait_status = status;
				p->ended_at = clock_now();
				struct tl_event *e = timeline_add(&p->timeline, TL_EXIT, pid, NULL);
				e->status = status;
				if (pid == root_pid)
					root_alive = 0;
			}
			return true;
		}
	return false;
}

/* Signals the kernel raises for the instruction that faulted. */
static bool
is_fault_signal(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE;
}

/* Signals whose default action ends the process. */
static bool
kills_by_default(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH:
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return false;
	}
	return sig > 0 && sig < NSIG;
}

/* Whether delivering sig to thread tid now ends its process: nothing
   catches or ignores it.  (Ignored signals still stop a traced thread.) */
static bool
signal_is_fatal(pid_t tid, int sig)
{
	if (!kills_by_default(sig))
		return false;
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	unsigned long long caught = 0, ignored = 0;
	bool read_both = false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SigIgn: %llx", &ignored) == 1)
			continue;
		if (sscanf(line, "SigCgt: %llx", &caught) == 1) {
			read_both = true;
			break;
		}
	}
	fclose(f);
	unsigned long long bit = 1ULL << (sig - 1);
	return read_both && !(caught & bit) && !(ignored & bit);
}

/* A fault the kernel raised for an instruction is diagnosed at once, even
   if a handler catches it (the state at the fault is the evidence); any
   other signal when it is about to end the process. */
static bool
signal_needs_diagnosis(pid_t tid, int sig)
{
	siginfo_t si;
	if (is_fault_signal(sig) && ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) == 0 &&
	    si.si_code > 0)
		return true;
	return sig != SIGKILL && signal_is_fatal(tid, sig);
}

static bool
is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void
on_exit_status(struct tracee *t, int status, const struct supervisor_hooks *hooks)
{
	struct process *p = t->proc;
	pid_t tid = t->tid;
	tracee_drop(t, status);
	if (!p->ended)
		solib_thread_gone(p, tid);
	if (p->ended && !p->exec_ended && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
	    hooks && hooks->on_killed)
		hooks->on_killed(p, tid, hooks->arg);
	if (p->ended)
		unwind_forget(p->pid);
	if (tid == root_pid && p->ended)
		root_alive = 0;
}

/* ---- Attaching to running processes (-p) and letting them go ---- */

/* Not PTRACE_O_EXITKILL: should we die, what we attached to lives on. */
#define ATTACH_OPTIONS (PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | \
			PTRACE_O_TRACEEXEC)
/* Threads may start faster than we seize them: give up after this many
   scans of /proc/PID/task that each found new ones. */
#define ATTACH_MAX_SCANS 100

static void
ignore_alarm(int sig)
{
	(void)sig;
}

/* Seize every thread of p not seized yet; returns how many were. */
static unsigned int
seize_new_threads(struct process *p)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", (int)p->pid);
	DIR *d = opendir(path);
	if (!d)
		return 0;
	unsigned int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		pid_t tid = (pid_t)atoi(de->d_name);
		if (tid <= 0 || tracee_find(tid))
			continue;
		/* EPERM: a thread started since, already ours through
		   PTRACE_O_TRACECLONE (its clone event adopts it); ESRCH: gone. */
		if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)(long)ATTACH_OPTIONS) < 0)
			continue;
		tracee_new(tid, p);
		n++;
	}
	closedir(d);
	return n;
}

static void
interrupt_thread(struct tracee *t, void *arg)
{
	(void)arg;
	if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0 && errno != ESRCH)
		perror_msg("stopping thread %d", t->tid);
}

int
supervisor_attach(pid_t pid)
{
	struct attach_target tg;
	/* -p given twice, or a thread of a process attached already. */
	if (tracee_find(pid))
		return 0;
	if (!attach_target_check(pid, &tg))
		return -1;
	if (ptrace(PTRACE_SEIZE, tg.pid, NULL, (void *)(long)ATTACH_OPTIONS) < 0) {
		attach_explain_failure(&tg, errno);
		return -1;
	}
	if (!attach_mode) {
		attach_mode = 1;
		install_forwarding();
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = ignore_alarm;
		sigaction(SIGALRM, &sa, NULL);
	}
	struct process *p = process_new(tg.pid, tg.ppid);
	p->attached = true;
	unmapwatch_note_attached();
	p->attach_setup = true;
	process_read_identity(p);
	tracee_new(tg.pid, p);
	if (!root_pid) {
		root_pid = tg.pid;
		root_alive = 1;
	}
	unsigned int scans = 0;
	while (seize_new_threads(p) && ++scans < ATTACH_MAX_SCANS)
		;
	if (scans == ATTACH_MAX_SCANS)
		error_msg("pid %d (%s): threads kept starting while attaching; those started "
			  "after the last scan of /proc/%d/task are followed only if a traced "
			  "thread created them", (int)p->pid, process_name(p), (int)p->pid);
	struct tl_event *e = timeline_add(&p->timeline, TL_ATTACH, tg.pid, p->exe);
	e->status = (int)p->nthreads;
	/* A stop, to read its libraries and plant the breakpoints (at the
	   first thread that stops: one may be blocked where it cannot). */
	tracee_for_each(p, interrupt_thread, NULL);
	return 0;
}

/* The first stop of a process we attached to: what is loaded already. */
static void
attach_setup_libraries(struct tracee *t, const struct supervisor_hooks *hooks)
{
	struct process *p = t->proc;
	p->attach_setup = false;
	solib_on_attach(p, t->tid);
	if (hooks && hooks->on_attached)
		hooks->on_attached(p, hooks->arg);
}

struct hold_count {
	unsigned int unheld;
	struct tracee *any;
};

static void
count_held(struct tracee *t, void *arg)
{
	struct hold_count *c = arg;
	if (t->flags & TF_HELD) {
		c->any = t;
	} else {
		c->unheld++;
		debug_msg("detaching: waiting for thread %d of pid %d to stop", t->tid,
			  (int)t->proc->pid);
	}
}

static bool
process_traced(const struct process *p)
{
	return !p->ended && !p->detached && p->nthreads;
}

/* Every thread of every traced process is stopped, none in the middle of
   a breakpoint: take the int3s out and let them go, each thread with the
   signal it stopped for. */
static void
detach_finish_if_ready(void)
{
	for (struct process *p = process_list; p; p = p->next) {
		struct hold_count c = { 0, NULL };
		if (!process_traced(p))
			continue;
		tracee_for_each(p, count_held, &c);
		if (c.unheld)
			return;
	}
	for (struct process *p = process_list; p; p = p->next) {
		struct hold_count c = { 0, NULL };
		if (!process_traced(p))
			continue;
		tracee_for_each(p, count_held, &c);
		for (size_t i = 0; i < p->bps.n; i++)
			if (!mem_poke_byte(c.any->tid, p->bps.v[i].addr, p->bps.v[i].orig, NULL))
				error_msg("pid %d: cannot restore the byte at %#llx while detaching; "
					  "the process may stop with SIGTRAP there", (int)p->pid,
					  (unsigned long long)p->bps.v[i].addr);
		bp_table_free(&p->bps);
		unwind_forget(p->pid);
		timeline_add(&p->timeline, TL_DETACH, p->pid, NULL);
		tracee_for_each(p, detach_thread, NULL);
		p->detached = true;
		p->ended_at = clock_now();
		if (p->pid == root_pid)
			root_alive = 0;
	}
}

/* Signals queued for this thread alone (SigPnd), not yet taken. */
static bool
thread_signal_pending(pid_t tid)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	unsigned long long pending = 0;
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SigPnd: %llx", &pending) == 1)
			break;
	fclose(f);
	return pending != 0;
}

/* Detaching (asked by SIGINT or SIGTERM in attach mode): every thread is
   interrupted, and held at its next stop unless it is stepping over one of
   our breakpoints: that one finishes first.  Returns true when the stop
   was dealt with. */
static bool
detach_on_stop(struct tracee *t, int status)
{
	int sig = WSTOPSIG(status);
	unsigned int event = (unsigned int)status >> 16;
	if (t->flags & TF_STEPPING) {
		if (event != PTRACE_EVENT_STOP)
			return false;	/* the step's end or a signal: as usual */
		if (ptrace(PTRACE_SINGLESTEP, t->tid, NULL, NULL) < 0 && errno != ESRCH)
			perror_msg("single-stepping thread %d", t->tid);
		return true;
	}
	if (event != 0 && event != PTRACE_EVENT_STOP)
		return false;	/* fork, clone, exec: followed as usual */
	if (event == PTRACE_EVENT_STOP && thread_signal_pending(t->tid)) {
		/* The interrupt is reported before a signal already queued,
		   such as the SIGTRAP of an int3 of ours just hit: take that
		   one first (it stops before running an instruction). */
		if (ptrace(PTRACE_CONT, t->tid, NULL, NULL) < 0 && errno != ESRCH)
			perror_msg("resuming thread %d", t->tid);
		return true;
	}
	t->flags = (t->flags & ~TF_NEW) | TF_HELD;
	t->pending_sig = 0;
	if (event == PTRACE_EVENT_STOP) {
		if (t->flags & TF_VFORKED)
			detach_vfork_child(t);
		return true;
	}
	/* On one of our int3s (or one a handler took out since): back to the
	   instruction, whose byte goes back before the detach.  Any other
	   signal is delivered at the detach. */
	siginfo_t si;
	struct user_regs_struct regs;
	uint8_t byte;
	if (sig == SIGTRAP && ptrace(PTRACE_GETSIGINFO, t->tid, NULL, &si) == 0 &&
	    si.si_code == SI_KERNEL && ptrace(PTRACE_GETREGS, t->tid, NULL, &regs) == 0 &&
	    (bp_find(&t->proc->bps, regs.rip - 1) ||
	     (mem_read(t->proc->pid, regs.rip - 1, &byte, 1) && byte != 0xcc))) {
		regs.rip--;
		ptrace(PTRACE_SETREGS, t->tid, NULL, &regs);
	} else {
		t->pending_sig = sig;
	}
	if (t->flags & TF_VFORKED)
		detach_vfork_child(t);
	return true;
}

/* Detaching from a vfork child before its exec: its parent waits for it
   where no interrupt stops it, so it cannot wait for its parent.  It
   runs in its parent's memory: the int3s go from there now. */
static void
detach_vfork_child(struct tracee *t)
{
	struct process *p = t->proc;
	for (size_t i = 0; i < p->bps.n; i++)
		mem_poke_byte(t->tid, p->bps.v[i].addr, p->bps.v[i].orig, NULL);
	bp_table_free(&p->bps);
	timeline_add(&p->timeline, TL_DETACH, p->pid, NULL);
	detach_thread(t, NULL);
	p->detached = true;
	p->ended_at = clock_now();
}

static void
detach_begin(void)
{
	detaching = true;
	alarm(0);
	for (struct process *p = process_list; p; p = p->next)
		if (process_traced(p))
			tracee_for_each(p, interrupt_thread, NULL);
	detach_finish_if_ready();
}

void
supervisor_request_detach(void)
{
	detach_requested = 1;
}

pid_t
supervisor_command_pid(void)
{
	return root_pid;
}

static void
dispatch(pid_t tid, int status, const struct supervisor_hooks *hooks)
{
	struct tracee *t = tracee_find(tid);
	if (!t && on_untraced_exit(tid, status))
		return;
	if (!t)
		t = adopt(tid, 0, CHILD_UNKNOWN);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		on_exit_status(t, status, hooks);
		if (detaching)
			detach_finish_if_ready();
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	if (t->proc->attach_setup && !detaching)
		attach_setup_libraries(t, hooks);
	if (detaching && detach_on_stop(t, status)) {
		detach_finish_if_ready();
		return;
	}
	int sig = WSTOPSIG(status);
	unsigned int event = (unsigned int)status >> 16;
	stats.stops++;

	switch (event) {
	case 0:
		break;
	case PTRACE_EVENT_STOP:
		/* Under PTRACE_SEIZE a new tracee's attach stop looks like a
		   group-stop; a real group-stop must stay stopped (PTRACE_LISTEN)
		   so that SIGSTOP/SIGCONT keep working. */
		if ((t->flags & TF_NEW) || !is_stop_signal(sig)) {
			t->flags &= ~TF_NEW;
			if (t->flags & TF_FORK_CHILD)
				fix_fork_child(t);
			restart(t);
			return;
		}
		/* A group-stop can come between a step's start and its
		   instruction: the thread may stay stopped for long, and be
		   resumed by a plain PTRACE_CONT from a later stop. */
		if (t->flags & TF_STEPPING)
			step_give_up(t);
		if (ptrace(PTRACE_LISTEN, tid, NULL, NULL) < 0 && errno != ESRCH)
			perror_msg("PTRACE_LISTEN on thread %d", tid);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		/* A fork in a constructor: the child starts from what the dlopen
		   loaded so far. */
		if (event != PTRACE_EVENT_CLONE)
			solib_catch_up(t->proc, tid);
		on_new_child(t, event);
		restart(t);
		return;
	case PTRACE_EVENT_SECCOMP:
		solib_catch_up(t->proc, tid);
		unmapwatch_on_stop(t->proc, tid);
		resume(tid, 0);
		return;
	case PTRACE_EVENT_EXEC:
		on_exec(t);
		resume(tid, 0);
		return;
	default:
		restart(t);
		return;
	}

	/* A signal-delivery-stop. */
	t->flags &= ~TF_NEW;
	if (sig == SIGTRAP && on_sigtrap(t))
		return;
	if (t->flags & TF_STEPPING) {
		/* A signal arrived before the stepped instruction ran.  Stepping
		   into its handler would take the handler's first instruction
		   for the step's end (and run it all without the int3): the step
		   is given up instead, the signal delivered, and the breakpoint
		   taken again when the thread is back at it.  (Had the
		   instruction run, its trap would have come first: the kernel
		   dequeues it before other signals.) */
		step_give_up(t);
	}
	/* A fault in a constructor, a signal that ends the process in the middle
	   of a dlopen: what the call loaded so far is known first. */
	solib_catch_up(t->proc, tid);
	/* Once per thread: a handler that reports a fault and raises it again
	   (Python's faulthandler) ends the process with the first report. */
	if (!(t->flags & TF_REPORTED) && hooks && hooks->on_fault &&
	    signal_needs_diagnosis(tid, sig)) {
		t->flags |= TF_REPORTED;
		if (hooks->on_fault(t->proc, tid, sig, hooks->arg) && hooks->hand_off) {
			struct process *p = t->proc;
			detach_for_debugger(t);
			debugger_pid = hooks->hand_off(p, tid, hooks->arg);
			return;
		}
	}
	/* A fault in unloaded code right after this may be its handler's. */
	if (sig)
		t->last_signal = sig;
	resume(tid, sig);
}

/* Asked twice to stop: end every traced process now (they would die with
   us anyway, through PTRACE_O_EXITKILL) and reap them, so that the report
   still tells how each one ended. */
static void
kill_all_tracees(void)
{
	error_msg("asked again to stop: killing the traced processes");
	for (struct process *p = process_list; p; p = p->next)
		if (!p->ended && !p->detached && p->nthreads)
			kill(p->pid, SIGKILL);
}

/* A signal to us asks the wait loop to look at it. */
static bool
stop_requested(void)
{
	return signals_received || detach_requested;
}

int
supervisor_run(const struct supervisor_hooks *hooks)
{
	bool killed = false;
	for (;;) {
		int status;
		if (signals_received > 1 && !killed) {
			killed = true;
			kill_all_tracees();
		}
		if (detach_requested && !detaching)
			detach_begin();
		pid_t tid;
		if (have_early_status) {
			have_early_status = false;
			tid = root_pid;
			status = early_status;
		} else {
			tid = stopwait_next(&status, stop_requested);
		}
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				perror_msg("wait4");
			break;
		}
		dispatch(tid, status, hooks);
		if (hooks && hooks->between_stops)
			hooks->between_stops(hooks->arg);
		stopwait_resumed();
	}
	/* The command's status is that of the last image of its pid. */
	int status = 0;
	for (struct process *p = process_list; p; p = p->next)
		if (p->pid == root_pid && p->ended && !p->exec_ended)
			status = p->wait_status;
	return status;
}
