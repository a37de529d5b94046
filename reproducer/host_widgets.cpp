/*
 * host_widgets: many objects of a plugin's class, created and destroyed.
 *
 *   host_widgets PLUGIN.so         creates 64 objects, deletes them all,
 *                                  then unloads the plugin: clean
 *   host_widgets --keep PLUGIN.so  the same, but one object is still
 *                                  alive at dlclose (and never used again)
 *
 * Expected, native, both compilers, with libplugin_widgets.so: exit 0.
 * Under jemalloc (LD_PRELOAD=libjemalloc.so.2) the deleted objects keep
 * their vptrs in freed memory that looks like any other: a latent scan
 * cannot tell them from the kept one.
 */
#include "repro.h"
#include "widgets.hpp"

#define NOBJECTS 64

static Gadget *kept;

int main(int argc, char **argv)
{
	bool keep = argc == 3 && strcmp(argv[1], "--keep") == 0;

	if (argc != 2 && !keep) {
		fprintf(stderr, "usage: host_widgets [--keep] PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	void *handle = open_plugin(argv[argc - 1], RTLD_NOW | RTLD_LOCAL);
	make_gadget_fn *make = (make_gadget_fn *)plugin_symbol(handle, "make_gadget");
	Gadget *g[NOBJECTS];
	int sum = 0;

	for (int i = 0; i < NOBJECTS; i++)
		g[i] = make(i);
	for (int i = 0; i < NOBJECTS; i++)
		sum += g[i]->spin();
	for (int i = keep ? 1 : 0; i < NOBJECTS; i++)
		delete g[i];
	if (keep)
		kept = g[0];
	say("host: %d objects made and %s, sum %d", NOBJECTS,
	    keep ? "all but one deleted" : "deleted", sum);
	unload_plugin(handle);
	say("host: done");
	return 0;
}
