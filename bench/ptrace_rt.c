/*
 * ptrace_rt: what one ptrace stop costs on this machine.
 *
 *   ptrace_rt N
 *
 * A child, seized with PTRACE_SEIZE as teardown-audit seizes its command,
 * executes int3 N times.  We wait for each SIGTRAP stop and resume it with
 * PTRACE_CONT (signal suppressed), first bare, then, in a second child,
 * with the PTRACE_GETSIGINFO, PTRACE_GETREGS and PTRACE_SETREGS a tracer
 * does at each breakpoint, and last bare again with tracer and tracee bound
 * to one CPU.  Prints the microseconds per round trip of the three:
 *
 *   ptrace_rt: N round trips: bare B us, with siginfo+regs R us, one CPU C us
 *
 * The last shows what waking the other CPU costs: on a virtual machine
 * whose idle CPUs halt, a stop and a resume that cross CPUs can cost several
 * times what they cost on one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Microseconds per stop from the first trap to the last, or -1. */
static double
measure(long n, int with_regs)
{
	int go[2];
	if (pipe(go) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		for (long i = 0; i < n; i++)
			__asm__ volatile("int3");
		_exit(0);
	}
	close(go[0]);
	if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)(long)PTRACE_O_EXITKILL) < 0) {
		perror("ptrace_rt: PTRACE_SEIZE");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	if (write(go[1], "g", 1) != 1)
		return -1;
	close(go[1]);

	long traps = 0;
	double first = 0, last = 0;
	for (;;) {
		int st;
		pid_t r = waitpid(pid, &st, __WALL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			break;
		int sig = WSTOPSIG(st);
		if (sig == SIGTRAP && (st >> 16) == 0) {
			last = now();
			if (traps++ == 0)
				first = last;
			if (with_regs) {
				siginfo_t si;
				struct user_regs_struct regs;
				ptrace(PTRACE_GETSIGINFO, pid, NULL, &si);
				ptrace(PTRACE_GETREGS, pid, NULL, &regs);
				ptrace(PTRACE_SETREGS, pid, NULL, &regs);
			}
			sig = 0;
		} else if ((st >> 16) != 0) {
			sig = 0;
		}
		ptrace(PTRACE_CONT, pid, NULL, (void *)(long)sig);
	}
	if (traps != n || n < 2)
		return -1;
	return (last - first) * 1e6 / (double)(n - 1);
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	double bare = measure(n, 0), regs = measure(n, 1);
	if (bare < 0 || regs < 0) {
		fprintf(stderr, "ptrace_rt: could not trace a child\n");
		return 1;
	}
	/* The child inherits the mask: both on the CPU we are on now. */
	double one = -1;
	cpu_set_t all, cpu;
	int here = sched_getcpu();
	if (here >= 0 && sched_getaffinity(0, sizeof(all), &all) == 0) {
		CPU_ZERO(&cpu);
		CPU_SET(here, &cpu);
		if (sched_setaffinity(0, sizeof(cpu), &cpu) == 0) {
			one = measure(n, 0);
			sched_setaffinity(0, sizeof(all), &all);
		}
	}
	printf("ptrace_rt: %ld round trips: bare %.2f us, with siginfo+regs %.2f us, one CPU %.2f us\n",
	       n, bare, regs, one);
	return 0;
}
