/* Per-thread and per-process state.  A struct process is one process image:
   exec starts a new one (same pid), so that addresses of the old image are
   never matched against the new one.  Images are kept after they end, for
   the report. */
#ifndef TA_TRACEE_H
#define TA_TRACEE_H

#include "allocator.h"
#include "breakpoint.h"
#include "deferred.h"
#include "sighand.h"
#include "maps.h"
#include "procfd.h"
#include "solib.h"
#include "timeline.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct process {
	pid_t pid;
	pid_t parent_pid;
	unsigned int seq;	/* order of creation, for the report */
	char *exe;		/* /proc/PID/exe at exec, or the parent's */
	char **argv;		/* NULL-terminated */
	double started_at;
	bool ended;		/* the last thread is gone or it exec'd */
	bool exec_ended;	/* ended by exec into a new image */
	bool detached;		/* handed over to a debugger, or let go (-p): no
				   longer traced */
	bool attached;		/* running before we attached to it (-p), or
				   forked from one: not ours to end */
	bool attach_setup;	/* its libraries are still to be read, at its
				   first stop */
	int wait_status;	/* valid once ended (not for exec_ended) */
	double ended_at;
	unsigned int nthreads;
	struct bp_table bps;
	struct maps_snapshot maps;	/* as of the last library event */
	double maps_read_at;		/* when maps was read */
	struct maps_history history;	/* every mapping that went away */
	struct solib_state solib;
	struct allocator alloc;	/* its malloc, found at the first latent check */
	struct timeline timeline;
	struct deferred_list deferred;	/* nested dlcloses whose unload is due */
	struct sighand_cache handlers;	/* its signal handlers, as last read */
	struct proc_fds procfds;	/* its /proc files kept open (this image's) */
	struct process *next;	/* all images, in creation order */
};

enum tracee_flags {
	TF_STEPPING = 1 << 0,	/* single-stepping over the breakpoint at step_addr */
	TF_REPORTED = 1 << 1,	/* a fault was already reported for this thread */
	TF_NEW = 1 << 2,	/* its first stop (the attach stop) is still to come */
	TF_REHIT = 1 << 3,	/* a step at rehit_addr was given up for a signal: the
				   thread comes back to that int3 with the same sp,
				   whose event was already handled */
	TF_FORK_CHILD = 1 << 4,	/* a forked child: check its breakpoint bytes at its
				   first stop */
	TF_HELD = 1 << 5,	/* detaching: kept stopped until every thread is */
	TF_VFORKED = 1 << 6,	/* a vfork child before its exec: its parent
				   waits for it, in its memory */
};

struct tracee {
	pid_t tid;
	unsigned int flags;
	uint64_t step_addr;
	uint64_t rehit_addr, rehit_sp;
	pid_t fork_parent;	/* TF_FORK_CHILD: the thread that forked it, if known */
	int pending_sig;	/* to deliver when detaching */
	int last_signal;	/* the last signal delivered to it, 0: none */
	struct process *proc;
	struct tracee *hash_next;
};

/* Every process image, oldest first. */
extern struct process *process_list;

struct tracee *tracee_find(pid_t tid);
/* Call fn for every thread of p (fn may not drop other threads). */
void tracee_for_each(struct process *p, void (*fn)(struct tracee *t, void *arg), void *arg);
/* Forget a thread without ending its process (detached). */
void tracee_forget(struct tracee *t);
/* A new tracee in proc (created with process_new or an existing one). */
struct tracee *tracee_new(pid_t tid, struct process *proc);
/* Forget a thread that exited; ends its process when it was the last one. */
void tracee_drop(struct tracee *t, int wait_status);

/* A new process image.  argv is read from /proc/PID/cmdline. */
struct process *process_new(pid_t pid, pid_t parent_pid);
/* Mark the image as replaced by exec; its threads move to the new image. */
void process_end_by_exec(struct process *old, struct process *image);
/* Re-read /proc/PID/exe and cmdline (after exec). */
void process_read_identity(struct process *p);
/* Short name for messages: the basename of exe. */
const char *process_name(const struct process *p);

#endif
