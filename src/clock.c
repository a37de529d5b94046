#include "config.h"
#include "clock.h"

#include <time.h>

static struct timespec start;

void
clock_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &start);
}

double
clock_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
}
