#include "config.h"
#include "attach.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool
attach_parse_pid(const char *arg, pid_t *pid)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (*arg == '\0' || *end || errno || v < 1 || v > 0x3fffffff)
		return false;
	*pid = (pid_t)v;
	return true;
}

/* The fields we need from /proc/PID/status; false if there is no such
   process. */
static bool
read_status(pid_t pid, struct attach_target *tg)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	memset(tg, 0, sizeof(*tg));
	tg->pid = pid;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "Name:", 5) == 0) {
			char *s = line + 5;
			s += strspn(s, " \t");
			s[strcspn(s, "\n")] = '\0';
			snprintf(tg->name, sizeof(tg->name), "%s", s);
		} else if (strncmp(line, "State:", 6) == 0) {
			char *s = line + 6;
			tg->state = s[strspn(s, " \t")];
		} else if (strncmp(line, "Tgid:", 5) == 0) {
			tg->pid = (pid_t)atoi(line + 5);
		} else if (strncmp(line, "PPid:", 5) == 0) {
			tg->ppid = (pid_t)atoi(line + 5);
		} else if (strncmp(line, "TracerPid:", 10) == 0) {
			tg->tracer = (pid_t)atoi(line + 10);
		} else if (strncmp(line, "Uid:", 4) == 0) {
			tg->uid = (uid_t)strtoul(line + 4, NULL, 10);
		}
	}
	fclose(f);
	return true;
}

/* "gdb", from /proc/PID/comm, or "?". */
static void
read_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, size, "?");
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

bool
attach_target_check(pid_t pid, struct attach_target *tg)
{
	if (!read_status(pid, tg)) {
		if (errno == ENOENT)
			error_msg("cannot attach to pid %d: no such process", (int)pid);
		else
			perror_msg("cannot attach to pid %d: reading /proc/%d/status", (int)pid,
				   (int)pid);
		return false;
	}
	if (tg->pid != pid) {
		/* A thread id: strace takes it for its process too. */
		debug_msg("pid %d is a thread of process %d: attaching to the process",
			  (int)pid, (int)tg->pid);
		if (!read_status(tg->pid, tg)) {
			error_msg("cannot attach to pid %d: its process %d is gone", (int)pid,
				  (int)tg->pid);
			return false;
		}
	}
	if (tg->pid == getpid()) {
		error_msg("cannot attach to pid %d: that is %s itself", (int)tg->pid, program_name);
		return false;
	}
	if (tg->state == 'Z' || tg->state == 'X') {
		error_msg("cannot attach to pid %d (%s): it has already ended (a zombie)",
			  (int)tg->pid, tg->name);
		return false;
	}
	if (tg->tracer) {
		char comm[32];
		read_comm(tg->tracer, comm, sizeof(comm));
		error_msg("cannot attach to pid %d (%s): it is already traced by pid %d (%s); a "
			  "process has one tracer at a time: detach that one first (quit gdb, stop "
			  "strace)", (int)tg->pid, tg->name, (int)tg->tracer, comm);
		return false;
	}
	return true;
}

/* Yama's ptrace_scope, or -1 when Yama is not there. */
static int
yama_scope(void)
{
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	int v = -1;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

void
attach_explain_failure(const struct attach_target *tg, int e)
{
	if (e == ESRCH) {
		error_msg("cannot attach to pid %d (%s): it ended meanwhile", (int)tg->pid,
			  tg->name);
		return;
	}
	if (e != EPERM) {
		error_msg("cannot attach to pid %d (%s): ptrace(PTRACE_SEIZE): %s", (int)tg->pid,
			  tg->name, strerror(e));
		return;
	}
	int scope = yama_scope();
	if (geteuid() != 0 && tg->uid != geteuid())
		error_msg("cannot attach to pid %d (%s): not permitted: it belongs to another "
			  "user (uid %u); run as that user, or as root", (int)tg->pid, tg->name,
			  (unsigned int)tg->uid);
	else if (scope >= 1)
		error_msg("cannot attach to pid %d (%s): not permitted: Yama's ptrace_scope is %d "
			  "(%s); run as root or with CAP_SYS_PTRACE, or lower "
			  "/proc/sys/kernel/yama/ptrace_scope to 0", (int)tg->pid, tg->name, scope,
			  scope == 1 ? "only a parent may trace its children" :
			  scope == 2 ? "only CAP_SYS_PTRACE may attach" : "no attaching at all");
	else
		error_msg("cannot attach to pid %d (%s): not permitted (%s): it may be "
			  "set-user-ID or not dumpable, or in a container without CAP_SYS_PTRACE",
			  (int)tg->pid, tg->name, strerror(e));
}
