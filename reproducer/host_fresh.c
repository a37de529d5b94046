/*
 * host_fresh: a pointer into a plugin kept in memory that the process
 * made writable between two unloads, where no library event looks:
 *
 *   host_fresh mmap PLUGIN.so      a new anonymous mapping
 *   host_fresh mprotect PLUGIN.so  a read-only mapping made writable
 *   host_fresh clean PLUGIN.so     nothing kept
 *
 * A first load and unload comes before (the tool's view of the writable
 * memory is complete after it); then the mapping changes, the plugin is
 * loaded again, a copy of ops->run goes into the mapping's second page,
 * and the plugin is unloaded.  No crash: exit status 0 in every mode.
 * The host prints where the pointer is ("host: kept at 0x...").
 */
#include "repro.h"
#include "plugin_ops.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static REPRO_NOINLINE void *load(const char *path, const struct plugin_ops **ops)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);
	plugin_get_ops_fn *get_ops =
		(plugin_get_ops_fn *)plugin_symbol(handle, "plugin_get_ops");

	*ops = get_ops();
	return handle;
}

int main(int argc, char **argv)
{
	const struct plugin_ops *ops;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (argc != 3) {
		fprintf(stderr, "usage: host_fresh mmap|mprotect|clean PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	const char *mode = argv[1];
	char *ro = mmap(NULL, 4 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED)
		return 5;
	unload_plugin(load(argv[2], &ops));

	char *keep = NULL;
	if (strcmp(mode, "mmap") == 0) {
		keep = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		if (keep == MAP_FAILED)
			return 5;
	} else if (strcmp(mode, "mprotect") == 0) {
		if (mprotect(ro, 4 * page, PROT_READ | PROT_WRITE) != 0)
			return 5;
		keep = ro;
	} else if (strcmp(mode, "clean") != 0) {
		fprintf(stderr, "host_fresh: unknown mode '%s'\n", mode);
		return REPRO_EXIT_USAGE;
	}
	void *handle = load(argv[2], &ops);
	if (keep) {
		int (*run)(void) = ops->run;
		memcpy(keep + page, &run, sizeof(run));
		say("host: kept at %p", (void *)(keep + page));
	}
	unload_plugin(handle);
	say("host: done");
	return 0;
}
