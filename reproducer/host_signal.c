/*
 * host_signal: a signal handler the plugin installed outlives the plugin.
 *
 *   host_signal PLUGIN.so
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
 */
#include <signal.h>

#include "repro.h"

typedef int plugin_init_fn(void);

int main(int argc, char **argv)
{
	void *handle;

	if (argc != 2) {
		fprintf(stderr, "usage: host_signal PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
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
