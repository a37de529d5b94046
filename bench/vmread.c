/*
 * vmread: the raw rate of a dangling-reference scan done from outside a
 * process: process_vm_readv of all its writable mappings in 1 MiB chunks,
 * each 8-byte word compared against an address range.
 *
 *   vmread MIB
 *
 * A child allocates MIB MiB and writes every word of it, then waits.  We
 * read its /proc/PID/maps, read every writable mapping and count the words
 * that fall in a 2 MiB range around libc's printf (the child holds a few).
 * Prints "vmread: M MiB in T ms: R GiB/s, H words in range", the time from
 * opening the maps to the end of the last comparison.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (1UL << 20)

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Words w with lo <= w < lo + span: one subtraction and one unsigned
   compare each, four at a time with a branch only when one of them hits,
   which is rare, as a real scan's would be. */
static uint64_t
count_in_range(const uint64_t *w, size_t n, uint64_t lo, uint64_t span)
{
	uint64_t hits = 0;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint64_t a = w[i] - lo, b = w[i + 1] - lo, c = w[i + 2] - lo, d = w[i + 3] - lo;
		if ((a < span) | (b < span) | (c < span) | (d < span))
			hits += (a < span) + (b < span) + (c < span) + (d < span);
	}
	for (; i < n; i++)
		hits += w[i] - lo < span;
	return hits;
}

static void
child_main(size_t bytes, int ready)
{
	size_t words = bytes / 8;
	uint64_t *heap = malloc(bytes);
	if (!heap)
		_exit(1);
	for (size_t i = 0; i < words; i++)
		heap[i] = i;
	for (size_t i = 0; i < 16; i++)
		((void *volatile *)heap)[i * (words / 16)] = (void *)printf;
	if (write(ready, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: vmread MIB\n");
		return 2;
	}
	size_t bytes = (size_t)atol(argv[1]) << 20;
	int p[2];
	if (pipe(p) < 0) {
		perror("vmread: pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("vmread: fork");
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		child_main(bytes, p[1]);
	}
	close(p[1]);
	char c;
	if (read(p[0], &c, 1) != 1) {
		fprintf(stderr, "vmread: the child did not start\n");
		return 1;
	}

	uint64_t lo = ((uintptr_t)printf & ~((uint64_t)CHUNK - 1)) - CHUNK, hi = lo + 2 * CHUNK;
	uint64_t *buf = malloc(CHUNK);
	uint64_t total = 0, hits = 0;
	char path[64], line[512];
	if (!buf)
		return 1;
	/* Fault the buffer in first: the figure is the rate of reading and
	   comparing, not of our own page faults. */
	memset(buf, 0, CHUNK);

	double t0 = now();
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	FILE *maps = fopen(path, "re");
	if (!maps) {
		perror(path);
		return 1;
	}
	while (fgets(line, sizeof(line), maps)) {
		unsigned long long start, end;
		char perms[5];
		if (sscanf(line, "%llx-%llx %4s", &start, &end, perms) != 3 || perms[1] != 'w')
			continue;
		for (uint64_t a = start; a < end;) {
			size_t len = end - a < CHUNK ? end - a : CHUNK;
			struct iovec local = { buf, len }, remote = { (void *)a, len };
			ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
			if (n <= 0) {
				a += 4096;	/* an unreadable page: skip it */
				continue;
			}
			hits += count_in_range(buf, (size_t)n / 8, lo, hi - lo);
			total += (uint64_t)n;
			a += (uint64_t)n;
		}
	}
	fclose(maps);
	double t = now() - t0;

	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	printf("vmread: %.1f MiB in %.1f ms: %.2f GiB/s, %llu words in range\n",
	       total / 1048576.0, t * 1e3, total / 1073741824.0 / t,
	       (unsigned long long)hits);
	return 0;
}
