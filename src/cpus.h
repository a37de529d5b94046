/* How many CPUs the tool may run on.  No dependencies: waiting for stops
   (stopwait.c) and the scan (scan.c) each do more when there is a second
   one. */
#ifndef TA_CPUS_H
#define TA_CPUS_H

#include <stdbool.h>

/* Whether this thread's affinity allows more than one CPU (a taskset -c 0
   says no); false if it cannot be read. */
bool cpus_more_than_one(void);

#endif
