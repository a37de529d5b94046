/*
 * host_thread: a thread the plugin started is still in the plugin's code
 * when the host unloads it.
 *
 *   host_thread PLUGIN.so
 *
 * libplugin_thread.so's plugin_start() starts a worker ("plugin-worker")
 * that sleeps in a loop in the plugin's worker_loop(), and returns once it
 * runs.  The host unloads the plugin without stopping the worker: when its
 * usleep() returns, it returns into unmapped code.
 *
 * Expected, native: SIGSEGV under both compilers, in the worker thread (pc
 * == fault address, in the unloaded worker_loop).  Under the tool, a
 * latent finding at the unload names the thread and worker_loop first.
 */
#include <unistd.h>

#include "repro.h"

typedef int plugin_start_fn(void);

int main(int argc, char **argv)
{
	void *handle;

	if (argc != 2) {
		fprintf(stderr, "usage: host_thread PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	handle = open_plugin(argv[1], RTLD_NOW | RTLD_LOCAL);
	plugin_start_fn *start = (plugin_start_fn *)plugin_symbol(handle, "plugin_start");
	if (start() != 0) {
		fprintf(stderr, "plugin_start failed\n");
		return REPRO_EXIT_LOAD;
	}
	say("host: plugin worker started");
	unload_plugin(handle);
	/* The worker wakes within 100 ms, in unmapped code. */
	sleep(5);
	say("host: done");
	return 0;
}
