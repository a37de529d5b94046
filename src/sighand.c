#include "config.h"
#include "sighand.h"
#include "inject.h"
#include "stats.h"
#include "tracee.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

/* The kernel's struct sigaction on x86-64 (not glibc's). */
struct kernel_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

bool
sighand_caught(pid_t tid, uint64_t *mask)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool found = false;
	unsigned long long v;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "SigCgt: %llx", &v) == 1) {
			*mask = v;
			found = true;
		}
	fclose(f);
	return found;
}

bool
sighand_get(struct process *p, pid_t tid, int sig, struct sig_handler *h)
{
	struct kernel_sigaction ksa;
	memset(&ksa, 0, sizeof(ksa));
	/* rt_sigaction(sig, NULL, &old, sizeof(sigset)): reads, changes nothing. */
	uint64_t args[6] = { (uint64_t)sig, 0, 0, 8, 0, 0 };
	struct inject_buffer buf = { .arg = 2, .len = sizeof(ksa), .out = &ksa };
	long ret;
	if (!inject_syscall(p, tid, SYS_rt_sigaction, args, &buf, &ret) || ret != 0)
		return false;
	h->sig = sig;
	h->handler = ksa.handler;
	h->flags = ksa.flags;
	h->restorer = ksa.flags & SA_RESTORER ? ksa.restorer : 0;
	return true;
}

size_t
sighand_read_all(struct process *p, pid_t tid, bool watched, struct sig_handler out[64])
{
	struct sighand_cache *c = &p->handlers;
	if (sighand_kept(p, watched)) {
		stats.handler_kept++;
		memcpy(out, c->v, c->n * sizeof(*out));
		return c->n;
	}
	stats.handler_reads++;
	uint64_t mask;
	size_t n = 0;
	bool whole = true;
	if (!sighand_caught(tid, &mask))
		return 0;
	for (int sig = 1; sig <= 64; sig++) {
		if (!(mask & (1ULL << (sig - 1))))
			continue;
		if (!sighand_get(p, tid, sig, &out[n])) {
			whole = false;
			continue;
		}
		if (out[n].flags & SA_RESETHAND)
			whole = false;
		n++;
	}
	c->known = watched && whole;
	c->n = n;
	memcpy(c->v, out, n * sizeof(*out));
	return n;
}

bool
sighand_kept(const struct process *p, bool watched)
{
	return watched && p->handlers.known;
}

void
sighand_forget(struct process *p)
{
	p->handlers.known = false;
}
