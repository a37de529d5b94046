/* recurse: unbounded recursion until the stack guard page: a SIGSEGV
   with a stack too deep to walk whole. */
#include <stdio.h>

/* The recursion is the point. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"

static int __attribute__((noinline))
down(volatile char *prev, long depth)
{
	volatile char frame[64];
	frame[0] = (char)depth;
	frame[1] = prev ? prev[0] : 0;
	return down(frame, depth + 1) + frame[0];
}

int
main(void)
{
	return down(NULL, 0);
}
