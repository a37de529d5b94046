/*
 * host_signal: a signal handler the plugin installed outlives the plugin.
 *
 *   host_signal PLUGIN.so [OTHER.so N]
 *
 * libplugin_signal.so's plugin_init() installs plugin_on_usr1() as the
 * SIGUSR1 handler with sigaction(), and nothing puts the old one back.
 * The host unloads the plugin, then raises SIGUSR1: the kernel calls the
 * handler at its old address, in unmapped code.
 *
 * Expected, native: SIGSEGV under both compilers (pc == fault address ==
 * the old plugin_on_usr1).  Under the tool, a latent finding at the
 * unload names SIGUSR1 and plugin_on_usr1, and the fault's verdict says
 * it is SIGUSR1's handler.
 *
 * With OTHER.so and N, the host first installs a SIGINT handler of its
 * own and loads and unloads OTHER.so N times: unloads where the handler
 * table has not changed since the one before (a tracer that keeps what
 * it read must still see the plugin's sigaction after them).
 */
#include <signal.h>
#include <stdlib.h>

#include "repro.h"

typedef int plugin_init_fn(void);

static void on_int(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	void *handle;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: host_signal PLUGIN.so [OTHER.so N]\n");
		return REPRO_EXIT_USAGE;
	}
	if (argc == 4) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_int;
		sigaction(SIGINT, &sa, NULL);
		for (int i = atoi(argv[3]); i > 0; i--)
			unload_plugin(open_plugin(argv[2], RTLD_NOW | RTLD_LOCAL));
	}
	handle = open_plugin(argv[1], RTLD_NOW | RTLD_LOCAL);
	plugin_init_fn *init = (plugin_init_fn *)plugin_symbol(handle, "plugin_init");
	if (init() != 0) {
		fprintf(stderr, "plugin_init failed\n");
		return REPRO_EXIT_LOAD;
	}
	say("host: plugin installed its SIGUSR1 handler");
	raise(SIGUSR1);
	unload_plugin(handle);
	say("host: raising SIGUSR1");
	raise(SIGUSR1);
	say("host: done");
	return 0;
}
