/* Fault diagnosis: what the faulting address and pc were, whether they lie
   in something that was unloaded, and a verdict in plain words. */
#ifndef TA_DIAGNOSE_H
#define TA_DIAGNOSE_H

#include <sys/types.h>

struct process;
struct report_options;

struct diagnose_context {
	const struct report_options *report;
	unsigned int faults;		/* faults reported */
	unsigned int unloaded_faults;	/* of those, in unloaded libraries */
};

/* supervisor_hooks.on_fault: tid of p stopped with fatal signal sig. */
void diagnose_fault(struct process *p, pid_t tid, int sig, void *context);

#endif
