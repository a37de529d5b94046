/*
 * cpuloop: N rounds of integer arithmetic, no system calls and no library
 * events: what a tracer costs a process that it has no reason to stop.
 *
 *   cpuloop N
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: cpuloop N\n");
		return 2;
	}
	uint64_t n = strtoull(argv[1], NULL, 10);
	uint64_t x = 88172645463325252ULL, acc = 0;

	for (uint64_t i = 0; i < n; i++) {
		/* xorshift64: a dependency chain the compiler cannot fold */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		acc += x >> 60;
	}
	printf("%llu\n", (unsigned long long)acc);
	return 0;
}
