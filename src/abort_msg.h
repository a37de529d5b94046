/* The text glibc keeps for abort(): __assert_fail and glibc's own fatal
   messages ("free(): invalid pointer") store it in __abort_msg before they
   call abort(), so it can be read from the dying process. */
#ifndef TA_ABORT_MSG_H
#define TA_ABORT_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct process;

/* The message of p's libc (read through thread tid) into buf, without its
   trailing newline.  False when there is none (a plain abort()), or the
   libc is not glibc, or it cannot be read. */
bool abort_msg_read(struct process *p, pid_t tid, char *buf, size_t size);

#endif
