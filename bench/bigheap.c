/*
 * bigheap: a process with a large resident heap that unloads a plugin
 * and keeps a pointer into it, the case a dangling-reference scan of the
 * whole writable memory at dlclose is for.
 *
 *   bigheap MIB PLUGIN.so
 *
 * Allocates MIB MiB, writes every word of it (so all of it is resident),
 * loads the plugin, stores its function's address in the heap, unloads
 * the plugin and exits: the stored address is one dangling reference
 * among MIB MiB of words.  Exit 0, or 1 on an allocation or load failure.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bigheap MIB PLUGIN.so\n");
		return 2;
	}
	size_t words = (size_t)atol(argv[1]) << 20 >> 3;
	unsigned long *heap = malloc(words * sizeof(*heap));
	if (!heap || !words) {
		perror("bigheap: malloc");
		return 1;
	}
	for (size_t i = 0; i < words; i++)
		heap[i] = i;

	void *h = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "bigheap: %s\n", dlerror());
		return 1;
	}
	void *fn = dlsym(h, "bench_plugin_call");
	if (!fn) {
		fprintf(stderr, "bigheap: %s\n", dlerror());
		return 1;
	}
	/* The reference that outlives the plugin. */
	((void *volatile *)heap)[words / 2] = fn;
	dlclose(h);

	unsigned long sum = 0;
	for (size_t i = 0; i < words; i += 4096 / sizeof(*heap))
		sum += heap[i];
	printf("%lu\n", sum);
	return 0;
}
