/* Fault diagnosis: what the faulting address and pc were, whether they lie
   in something that was unloaded, and a verdict in plain words. */
#ifndef TA_DIAGNOSE_H
#define TA_DIAGNOSE_H

#include <stdbool.h>
#include <sys/types.h>

struct process;
struct finding;

struct diagnose_context {
	bool gdb;			/* --gdb: hand a faulting process to gdb */
	struct finding *last;		/* the latest fault */
};

/* supervisor_hooks.on_fault: tid of p stopped with fatal signal sig.
   True when the process is to be handed to gdb. */
bool diagnose_fault(struct process *p, pid_t tid, int sig, void *context);
/* supervisor_hooks.on_killed: p was killed by SIGKILL. */
void diagnose_killed(struct process *p, pid_t tid, void *context);
/* supervisor_hooks.hand_off: start gdb on the stopped, detached process. */
pid_t diagnose_hand_off(struct process *p, pid_t tid, void *context);

#endif
