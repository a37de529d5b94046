#include "config.h"
#include "inject.h"
#include "error.h"
#include "maps.h"
#include "mem.h"
#include "tracee.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

/* The x86-64 ABI lets a function use 128 bytes below rsp without moving
   it; leave those alone and some more. */
#define RED_ZONE 128
#define SCRATCH_GAP 256
#define SCRATCH_MAX 256
/* How much code to search for a syscall instruction. */
#define SEARCH_MAX (1 << 20)
/* Stops that are not the step's end before giving up: signals, interrupts. */
#define MAX_RETRIES 16

/* Where the last search found one, per process image: checked again
   (two bytes) before each use, since code can be unmapped. */
static struct {
	const struct process *p;
	uint64_t addr;
} found;

static bool
is_syscall_at(pid_t tid, uint64_t addr)
{
	unsigned char b[2];
	return addr && mem_read(tid, addr, b, 2) && b[0] == 0x0f && b[1] == 0x05;
}

static uint64_t
search_mapping(pid_t tid, const struct map_entry *m, size_t *budget)
{
	static unsigned char buf[65536];
	for (uint64_t a = m->start; a < m->end && *budget; ) {
		size_t len = m->end - a < sizeof(buf) ? m->end - a : sizeof(buf);
		if (len > *budget)
			len = *budget;
		size_t got = mem_read_partial(tid, a, buf, len);
		*budget -= len;
		for (size_t i = 0; i + 1 < got; i++)
			if (buf[i] == 0x0f && buf[i + 1] == 0x05)
				return a + i;
		if (got < len)
			return 0;
		/* A pair split across two reads is found in the next one. */
		a += got > 1 ? got - 1 : got;
	}
	return 0;
}

/* The bytes 0f 05 anywhere in executable memory: the CPU runs them as a
   syscall wherever they are, inside another instruction or not.  The
   vDSO first (always there, small), then ld.so's and libc's code. */
static uint64_t
find_syscall_insn(struct process *p, pid_t tid)
{
	if (found.p == p && is_syscall_at(tid, found.addr))
		return found.addr;
	size_t budget = SEARCH_MAX;
	uint64_t addr = 0;
	for (int pass = 0; pass < 2 && !addr; pass++)
		for (size_t i = 0; i < p->maps.n && !addr && budget; i++) {
			const struct map_entry *m = &p->maps.v[i];
			bool vdso = m->path && strcmp(m->path, "[vdso]") == 0;
			if (m->perms[2] != 'x' || vdso != (pass == 0))
				continue;
			addr = search_mapping(tid, m, &budget);
		}
	found.p = p;
	found.addr = addr;
	return addr;
}

static bool
poke_words(pid_t tid, uint64_t addr, const void *data, size_t len)
{
	for (size_t off = 0; off < len; off += 8) {
		uint64_t w;
		memcpy(&w, (const char *)data + off, 8);
		if (ptrace(PTRACE_POKEDATA, tid, (void *)(addr + off), (void *)w) < 0)
			return false;
	}
	return true;
}

/* A signal dequeued by a stop before the call ran is lost unless sent
   again: with its siginfo when the kernel lets us (sent by a process),
   else by tgkill. */
static void
send_again(pid_t tgid, pid_t tid, int sig, const siginfo_t *si)
{
	if (si && si->si_code < 0 &&
	    syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, si) == 0)
		return;
	if (syscall(SYS_tgkill, tgid, tid, sig) < 0 && errno != ESRCH)
		perror_msg("thread %d: sending signal %d again after a system call run in it",
			   tid, sig);
}

bool
inject_syscall(struct process *p, pid_t tid, long nr, const uint64_t args[6],
	       const struct inject_buffer *buf, long *ret)
{
	struct user_regs_struct saved, regs;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &saved) < 0)
		return false;
	/* The stop's siginfo goes back too: resumed with the signal it
	   stopped for (a fault being diagnosed), the thread then gets that
	   signal as the kernel raised it, not as one a tracer sent. */
	siginfo_t saved_si;
	bool have_si = ptrace(PTRACE_GETSIGINFO, tid, NULL, &saved_si) == 0;
	uint64_t insn = find_syscall_insn(p, tid);
	if (!insn) {
		debug_msg("pid %d: no syscall instruction found to run a system call in thread %d",
			  p->pid, tid);
		return false;
	}
	unsigned char old[SCRATCH_MAX];
	size_t len = buf ? (buf->len + 7) & ~(size_t)7 : 0;
	uint64_t scratch = (saved.rsp - RED_ZONE - SCRATCH_GAP - len) & ~(uint64_t)15;
	if (len > SCRATCH_MAX || (len && !mem_read(tid, scratch, old, len)))
		return false;

	regs = saved;
	regs.rip = insn;
	regs.rax = (uint64_t)nr;
	/* Not in a system call as far as the kernel is concerned: no
	   restart logic applies to ours.  The thread's own (orig_rax and
	   rax = -ERESTART...) comes back with its registers. */
	regs.orig_rax = (uint64_t)-1;
	uint64_t a[6];
	memcpy(a, args, sizeof(a));
	if (buf)
		a[buf->arg] = scratch;
	regs.rdi = a[0];
	regs.rsi = a[1];
	regs.rdx = a[2];
	regs.r10 = a[3];
	regs.r8 = a[4];
	regs.r9 = a[5];
	if (ptrace(PTRACE_SETREGS, tid, NULL, &regs) < 0)
		return false;

	struct {
		int sig;
		bool have_si;
		siginfo_t si;
	} again[MAX_RETRIES];
	unsigned int nagain = 0;
	bool done = false, alive = true;
	for (unsigned int tries = 0; tries < MAX_RETRIES && !done; tries++) {
		int st;
		if (ptrace(PTRACE_SINGLESTEP, tid, NULL, NULL) < 0) {
			alive = errno != ESRCH;
			break;
		}
		/* Looked at before it is taken: an end (SIGKILL meanwhile) is
		   left for the wait loop to see. */
		siginfo_t ws;
		int r;
		memset(&ws, 0, sizeof(ws));
		do
			r = waitid(P_PID, (id_t)tid, &ws, WSTOPPED | WEXITED | WNOWAIT | __WALL);
		while (r < 0 && errno == EINTR);
		if (r < 0 || ws.si_code != CLD_TRAPPED) {
			alive = false;
			break;
		}
		pid_t w;
		do
			w = waitpid(tid, &st, __WALL);
		while (w < 0 && errno == EINTR);
		if (w != tid || !WIFSTOPPED(st)) {
			alive = false;
			break;
		}
		if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) < 0) {
			alive = false;
			break;
		}
		if (regs.rip == insn + 2) {
			done = true;
			break;
		}
		if (regs.rip != insn)
			break;	/* not where we put it: give up, restore */
		/* Stopped before the call ran.  A signal is dequeued by this
		   stop: send it again at the end.  An interrupt or a
		   group-stop: step again. */
		int sig = WSTOPSIG(st);
		if ((st >> 16) == 0 && sig != SIGTRAP && nagain < MAX_RETRIES) {
			again[nagain].sig = sig;
			again[nagain].have_si =
				ptrace(PTRACE_GETSIGINFO, tid, NULL, &again[nagain].si) == 0;
			nagain++;
		}
	}
	if (done)
		*ret = (long)regs.rax;
	if (alive) {
		if (done && len)
			done = mem_read(tid, scratch, buf->out, buf->len);
		if (len && !poke_words(tid, scratch, old, len))
			error_msg("thread %d: putting back %zu bytes of its stack at %#llx failed",
				  tid, len, (unsigned long long)scratch);
		if (ptrace(PTRACE_SETREGS, tid, NULL, &saved) < 0)
			error_msg("thread %d: putting back its registers failed", tid);
		if (have_si)
			ptrace(PTRACE_SETSIGINFO, tid, NULL, &saved_si);
	}
	for (unsigned int i = 0; i < nagain; i++)
		send_again(p->pid, tid, again[i].sig, again[i].have_si ? &again[i].si : NULL);
	return done;
}
