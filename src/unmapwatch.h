/* Seeing every munmap, mremap and anonymous mmap(MAP_FIXED) that leaves
   its pages unwritable as it happens, so that the history has no blind
   spots between library events (a file mapped with MAP_FIXED is the
   dynamic linker's own placing of segments, a writable anonymous one its
   zero-filled .bss or an allocator's zeroed memory: not stopped, see
   unmapwatch.c): a seccomp filter,
   installed in the command before it is executed and inherited by all its
   children (the kernel runs a command's own filters too, and the strictest
   answer wins), stops exactly those calls for the tracer (SECCOMP_RET_TRACE
   with PTRACE_O_TRACESECCOMP), as strace's --seccomp-bpf does for its
   chosen calls.  Every other call runs without a stop. */
#ifndef TA_UNMAPWATCH_H
#define TA_UNMAPWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct process;

/* In the forked child, before exec, once seized with
   PTRACE_O_TRACESECCOMP (a SECCOMP_RET_TRACE with no such tracer fails the
   call with ENOSYS): install the filter.  False when the kernel refuses it;
   the command then runs without it, and the report says so. */
bool unmapwatch_install(void);
/* Before the command starts: whether the filter also stops exit_group, once
   per process (it must not when the process may be handed to gdb, which
   does not take seccomp stops: exit_group would fail with ENOSYS). */
void unmapwatch_stop_at_exit(bool on);
/* Whether it does: the last chance to read what a process loaded since
   its last stop. */
bool unmapwatch_stops_at_exit(void);

/* A thread of p stopped at one of the filtered calls (syscall entry):
   what it is about to remove goes into the history, with its stack. */
void unmapwatch_on_stop(struct process *p, pid_t tid);

/* Whether the filter is on in the traced command (read from
   /proc/PID/status once it runs).  A process attached with -p, and its
   children, never have it: only a process itself can install one. */
void unmapwatch_note_state(pid_t pid);
void unmapwatch_note_attached(void);
bool unmapwatch_active(const struct process *p);

/* For the report: why the watch is off, in the command (and in the
   processes attached to); NULL when it is on. */
const char *unmapwatch_why_not(void);
const char *unmapwatch_why_not_attached(void);

#endif
