#include "config.h"
#include "cpus.h"

#include <sched.h>

bool
cpus_more_than_one(void)
{
	cpu_set_t set;
	return sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 1;
}
