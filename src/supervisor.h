/* The ptrace supervisor: spawn the command, follow its whole process tree
   to the end, and dispatch every stop. */
#ifndef TA_SUPERVISOR_H
#define TA_SUPERVISOR_H

#include <stdbool.h>
#include <sys/types.h>

struct process;

struct supervisor_hooks {
	/* A thread stopped with a fatal fault signal, before it is delivered.
	   Returns true to hand the process over to a debugger. */
	bool (*on_fault)(struct process *p, pid_t tid, int sig, void *arg);
	/* The process is stopped and detached: start the debugger.  Returns
	   its pid (our child), or -1. */
	pid_t (*hand_off)(struct process *p, pid_t tid, void *arg);
	/* The process was killed by SIGKILL, which no stop announces. */
	void (*on_killed)(struct process *p, pid_t tid, void *arg);
	/* A process we attached to (-p) is set up: its libraries read, the
	   breakpoints planted. */
	void (*on_attached)(struct process *p, void *arg);
	/* A stop has been dealt with (its thread runs again, unless it was
	   left stopped on purpose): what can wait for that goes now. */
	void (*between_stops)(void *arg);
	void *arg;
};

/* Start argv under ptrace.  On failure to start, prints why and returns
   the exit status to use (127: not found, 126: not executable, 1 other). */
int supervisor_spawn(char **argv, int *exit_status_on_failure);
/* Attach to the running process pid (a thread id stands for its process):
   every thread of it, and from then on its children.  Prints why and
   returns -1 when it cannot; the process is then left as it was.  From
   then on the first SIGINT or SIGTERM detaches from everything instead of
   being forwarded. */
int supervisor_attach(pid_t pid);
/* Detach from everything attached so far, at the next turn of the loop. */
void supervisor_request_detach(void);
/* The command's pid (or the first attached), once known. */
pid_t supervisor_command_pid(void);
/* Run until every tracee is gone.  Returns the wait status of the command
   (of its last image). */
int supervisor_run(const struct supervisor_hooks *hooks);

#endif
