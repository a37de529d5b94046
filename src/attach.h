/* Attaching to a running process (-p): whether it can be done, and why
   not, in words, before anything in the process is changed. */
#ifndef TA_ATTACH_H
#define TA_ATTACH_H

#include <stdbool.h>
#include <sys/types.h>

/* What /proc/PID/status says about a process we may attach to. */
struct attach_target {
	pid_t pid;		/* the process (its thread group id) */
	pid_t ppid;
	pid_t tracer;		/* TracerPid: 0 if not traced */
	uid_t uid;		/* real uid */
	char state;		/* R, S, D, T, t, Z, ... */
	char name[32];		/* comm */
};

/* Look pid up.  False, with a message saying why, if it cannot be traced:
   it does not exist, is us, a zombie, or already traced by another tracer.
   A thread id stands for its whole process. */
bool attach_target_check(pid_t pid, struct attach_target *tg);
/* PTRACE_SEIZE of the process failed with errno e: say why in words
   (another user, Yama's ptrace_scope, no CAP_SYS_PTRACE). */
void attach_explain_failure(const struct attach_target *tg, int e);
/* Parse a -p argument; false if it is not a process id. */
bool attach_parse_pid(const char *arg, pid_t *pid);

#endif
