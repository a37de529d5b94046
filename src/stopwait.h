/* Waiting for the next stop of any tracee. */
#ifndef TA_STOPWAIT_H
#define TA_STOPWAIT_H

#include <stdbool.h>
#include <sys/types.h>

/* wait4(-1, status, __WALL) that, while stops come close together, first
   polls for a short while instead of sleeping.  interrupted() is asked at
   each poll: when it says yes, the call goes on to the blocking wait, which
   a signal interrupts (EINTR) as before. */
pid_t stopwait_next(int *status, bool (*interrupted)(void));

/* A tracee was just resumed: the gap to the next stop counts from here. */
void stopwait_resumed(void);

#endif
