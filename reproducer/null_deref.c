/*
 * null_deref: a crash that has nothing to do with any plugin.
 *
 *   null_deref [PLUGIN.so]
 *
 * Writes through a NULL pointer in crash_here().  With PLUGIN.so
 * (libplugin_small.so) it first loads, uses and unloads that plugin
 * cleanly, so a diagnosis that blames "the last library unloaded" for
 * every fault is caught out.
 *
 * Expected, native, both compilers: SIGSEGV at address 0 in crash_here.
 */
#include "repro.h"

static REPRO_NOINLINE void use_plugin_cleanly(const char *path)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);
	int (*value)(void) = (int (*)(void))plugin_symbol(handle, "plugin_value");

	say("host: loaded %s, plugin_value() = %d", path, value());
	dlclose(handle);
	say("host: unloaded plugin");
}

static REPRO_NOINLINE void crash_here(void)
{
	/* volatile: keep the compiler from turning this into a trap */
	volatile int *volatile p = NULL;

	say("host: writing through NULL");
	*p = 1;
}

int main(int argc, char **argv)
{
	if (argc > 2) {
		fprintf(stderr, "usage: null_deref [PLUGIN.so]\n");
		return REPRO_EXIT_USAGE;
	}
	if (argc == 2)
		use_plugin_cleanly(argv[1]);
	crash_here();
	say("host: done");
	return 0;
}
