#include "config.h"
#include "stopwait.h"
#include "cpus.h"
#include "stats.h"

#include <sched.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

/*
 * Why poll: a stop wakes us, and our resume wakes the tracee.  When the
 * CPU to be woken is idle, the wake-up costs what bringing that CPU out
 * of its idle state costs, and on a virtual machine whose idle CPUs halt
 * that is tens of microseconds, more than the stop itself and growing
 * with how long the CPU was idle.  A library event is a burst of stops a
 * few microseconds of the tracee's work apart (a dlopen/dlclose cycle
 * makes five), so while stops come that close, we stay awake for the next
 * one instead of going to sleep: measured on a 2-CPU virtual machine, a
 * cycle of the bench's dlloop costs about 40% less.
 *
 * The price is CPU time taken while the tracee runs, so it is bounded:
 * we poll only when the last stop came within the window of the resume
 * before it, for at most the window, yielding the CPU to anything else
 * runnable on it at each poll, and never on a single CPU, where polling
 * only delays the tracee.
 */
#define POLL_WINDOW_NS 200000L

static long long last_resume_ns;
static long long last_gap_ns = POLL_WINDOW_NS;
static int may_poll = -1;	/* unknown until the first wait */

static long long
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
stopwait_resumed(void)
{
	last_resume_ns = now_ns();
}

pid_t
stopwait_next(int *status, bool (*interrupted)(void))
{
	if (may_poll < 0)
		may_poll = cpus_more_than_one();
	pid_t tid = 0;
	if (may_poll && last_gap_ns < POLL_WINDOW_NS) {
		long long end = last_resume_ns + POLL_WINDOW_NS;
		while ((tid = wait4(-1, status, __WALL | WNOHANG, NULL)) == 0 &&
		       !interrupted() && now_ns() < end)
			sched_yield();
		if (tid > 0)
			stats.polled_stops++;
	}
	if (tid == 0)
		tid = wait4(-1, status, __WALL, NULL);
	last_gap_ns = now_ns() - last_resume_ns;
	return tid;
}
