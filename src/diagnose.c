#include "config.h"
#include "diagnose.h"
#include "report.h"
#include "symbolize.h"
#include "tracee.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

void
diagnose_fault(struct process *p, pid_t tid, int sig, void *context)
{
	struct diagnose_context *dc = context;
	FILE *out = dc->report->out;
	siginfo_t si;
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) < 0 ||
	    ptrace(PTRACE_GETREGS, tid, NULL, &regs) < 0)
		return;
	dc->faults++;
	struct tl_event *e = timeline_add(&p->timeline, TL_FAULT, tid, NULL);
	e->status = sig;
	e->addr = (uint64_t)si.si_addr;
	fprintf(out, "%s: pid %d (%s) thread %d: SIG%s at address %#llx, pc %#llx\n",
		PACKAGE, p->pid, process_name(p), tid, sigabbrev_np(sig),
		(unsigned long long)e->addr, (unsigned long long)regs.rip);
	struct stack st;
	symbolize_stack(p, tid, &st);
	report_stack(out, &st, "    ");
	stack_free(&st);
	fflush(out);
}
