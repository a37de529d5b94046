/* Files of a traced process's /proc directory kept open from one library
   event to the next: each unload reads its statm and pagemap, and an
   open and a close cost more than the read.  A pagemap is bound to the
   address space it was opened on: a new image opens its own. */
#ifndef TA_PROCFD_H
#define TA_PROCFD_H

#include <stddef.h>
#include <sys/types.h>

/* Zeroed: nothing open. */
struct proc_fds {
	int statm;		/* fd + 1, of /proc/PID/task/statm_tid/statm */
	pid_t statm_tid;
	int pagemap;		/* fd + 1, of /proc/TID/pagemap */
};

/* /proc/pid/task/tid/statm read into buf (at most len - 1 bytes, NUL
   terminated), through the kept file; it is opened again through tid
   when the thread it was opened through is gone (the main thread that
   called pthread_exit).  Returns the length, or -1. */
ssize_t procfd_read_statm(struct proc_fds *f, pid_t pid, pid_t tid, char *buf, size_t len);
/* The pagemap of the address space thread tid is in, kept open; -1 if
   it cannot be opened. */
int procfd_pagemap(struct proc_fds *f, pid_t tid);
void procfd_close(struct proc_fds *f);

#endif
