#include "config.h"
#include "unmapwatch.h"
#include "addrspace.h"
#include "error.h"
#include "sighand.h"
#include "stats.h"
#include "tracee.h"
#include "unwind.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
# define MAP_FIXED_NOREPLACE 0x100000
#endif

static bool exit_stop;

void
unmapwatch_stop_at_exit(bool on)
{
	exit_stop = on;
}

bool
unmapwatch_stops_at_exit(void)
{
	return exit_stop;
}

bool
unmapwatch_install(void)
{
	/* munmap, mremap, and an anonymous mmap with MAP_FIXED that leaves
	   its pages unwritable (it may replace what is there; MAP_FIXED_NOREPLACE
	   never does, and has MAP_FIXED's bit clear) stop for the tracer, and
	   unless the process may go to gdb, exit_group (once per process:
	   what a dlopen that never returns loaded is read there, see
	   solib.c); everything else runs.
	   A file mapped with MAP_FIXED is the dynamic linker placing a
	   library's segments inside its own reservation, three times per
	   dlopen, which the library events account for; a program seldom
	   does it, and the munmap that ends such a mapping is still seen.
	   A writable one is the dynamic linker's zero-filled .bss of a
	   library (again the load accounts for it), or memory an allocator
	   zeroes or commits: no access to those pages can fault, the writable
	   memory's count tells the scan they changed (see writable.c), and
	   whatever unmaps or protects them later is seen then.
	   rt_sigaction with a new action (not a mere read) stops too: the
	   signal handlers read at an unload are kept until one (sighand.h).
	   A jump's offsets count the instructions it skips. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		/* 4: without the exit stop, this test is the next one's twin. */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, exit_stop ? __NR_exit_group : __NR_munmap, 13, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_munmap, 12, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mremap, 11, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_rt_sigaction, 6, 0),
		/* 8: mmap */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 10),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_FIXED, 0, 8),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, 0, 7),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_WRITE, 5, 4),
		/* 14: rt_sigaction: its act pointer, both halves. */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
		/* 18 */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };
	/* Without CAP_SYS_ADMIN the kernel takes a filter only under
	   no_new_privs (which keeps a set-user-ID command from gaining its
	   privileges: the tool warns about those before it starts). */
	if (geteuid() != 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return false;
	return syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0 ||
	       prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0;
}

static int state;		/* 0: not known yet, 1: active, -1: not */
static char why_not[160];

void
unmapwatch_note_state(pid_t pid)
{
	if (state)
		return;
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	unsigned int filters = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp_filters: %u", &filters) == 1)
			break;
	if (f)
		fclose(f);
	state = filters ? 1 : -1;
	if (state < 0) {
		snprintf(why_not, sizeof(why_not), "no seccomp filter could be installed in the "
			 "command: munmap and mremap between library events are not seen");
		debug_msg("%s", why_not);
	}
}

static bool attached;

void
unmapwatch_note_attached(void)
{
	if (attached)
		return;
	attached = true;
	debug_msg("%s", unmapwatch_why_not_attached());
}

bool
unmapwatch_active(const struct process *p)
{
	return state > 0 && !p->attached;
}

const char *
unmapwatch_why_not(void)
{
	return state < 0 ? why_not : NULL;
}

const char *
unmapwatch_why_not_attached(void)
{
	return attached ? "in processes attached with -p (and their children) munmap and mremap "
			  "between library events are not seen: only a process itself can "
			  "install the seccomp filter that shows them" : NULL;
}

/* The stack of the thread making the call, kept for the report. */
static size_t
caller_stack(struct process *p, pid_t tid, const struct user_regs_struct *regs, uint64_t *pcs,
	     size_t max)
{
	return unwind_thread_walk(p->pid, tid, regs, pcs, max);
}

void
unmapwatch_on_stop(struct process *p, pid_t tid)
{
	struct user_regs_struct r;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &r) < 0 || r.orig_rax == __NR_exit_group)
		return;
	/* A new signal action, from any thread, at any time. */
	if (r.orig_rax == __NR_rt_sigaction) {
		stats.sigaction_stops++;
		sighand_forget(p);
		return;
	}
	stats.unmap_stops++;
	/* The dynamic linker's own munmaps and MAP_FIXED mmaps, while it
	   starts the program, loads or unloads: the library events account
	   for those. */
	if (p->solib.changing || !p->solib.started || solib_loading(&p->solib, tid))
		return;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t start = r.rdi & ~(page - 1), len = 0;
	const char *call = NULL;
	switch ((long)r.orig_rax) {
	case __NR_munmap:
		call = "munmap";
		len = r.rsi;
		break;
	case __NR_mmap:
		call = "mmap(MAP_FIXED)";	/* anonymous: the filter's choice */
		len = r.rsi;
		break;
	case __NR_mremap:
		/* What it keeps in place is not gone: a shrink frees the tail;
		   a move (MREMAP_MAYMOVE may move, MREMAP_FIXED does) leaves
		   the old range, which is then known only after the call. */
		call = "mremap";
		if (r.rdx < r.rsi) {
			start = (r.rdi + r.rdx + page - 1) & ~(page - 1);
			len = r.rdi + r.rsi - start;
		} else if (r.r10 & MREMAP_FIXED) {
			len = r.rsi;
		} else {
			return;
		}
		break;
	default:
		return;
	}
	if (!len || start + len < start)
		return;
	uint64_t end = (start + len + page - 1) & ~(page - 1);
	uint64_t pcs[UNMAP_STACK_DEPTH];
	size_t n = caller_stack(p, tid, &r, pcs, UNMAP_STACK_DEPTH);
	debug_msg("pid %d: thread %d: %s of [%#llx, %#llx)", p->pid, tid, call,
		  (unsigned long long)start, (unsigned long long)end);
	addrspace_note_unmap(p, tid, start, end, call, pcs, n);
}
