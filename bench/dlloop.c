/*
 * dlloop: dlopen, dlsym, call, dlclose one plugin, N times.
 *
 *   dlloop N PLUGIN.so [M]
 *
 * With M, the process first makes M extra anonymous mappings (one page
 * each, protections alternating so that the kernel cannot merge them):
 * a process as big as a real node or application, for the cost of a
 * library event in it.
 *
 * Each cycle loads and unloads the plugin for real (a small C plugin has
 * no unique symbols, so dlclose unmaps it).  N = 0 does everything but the
 * loop: the baseline that start-up and exit costs are measured from.
 * Exit 0, or 1 if a dlopen, dlsym or dlclose failed.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

int
main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: dlloop N PLUGIN.so [M]\n");
		return 2;
	}
	long n = atol(argv[1]);
	const char *plugin = argv[2];
	long extra = argc == 4 ? atol(argv[3]) : 0;
	unsigned long sum = 0;

	for (long i = 0; i < extra; i++)
		if (mmap(NULL, 4096, i % 2 ? PROT_READ : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0) == MAP_FAILED) {
			perror("dlloop: mmap");
			return 1;
		}

	for (long i = 0; i < n; i++) {
		void *h = dlopen(plugin, RTLD_NOW | RTLD_LOCAL);
		if (!h) {
			fprintf(stderr, "dlloop: %s\n", dlerror());
			return 1;
		}
		unsigned long (*call)(unsigned long);
		*(void **)&call = dlsym(h, "bench_plugin_call");
		if (!call) {
			fprintf(stderr, "dlloop: %s\n", dlerror());
			return 1;
		}
		sum += call((unsigned long)i);
		if (dlclose(h) != 0) {
			fprintf(stderr, "dlloop: dlclose: %s\n", dlerror());
			return 1;
		}
	}
	printf("%lu\n", sum);
	return 0;
}
