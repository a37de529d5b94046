/*
 * host_onexit: an exit handler registered by a plugin with on_exit().
 *
 *   host_onexit PLUGIN.so
 *
 * libplugin_onexit.so registers a handler with on_exit().  glibc's
 * on_exit() does not record which object registered the handler (unlike
 * atexit() and C++ static destructors, which go through __cxa_atexit with
 * the library's __dso_handle and run at dlclose), so the handler stays
 * in the exit list after the plugin is unloaded.  The host returns from
 * main and exit() calls the handler: a jump into unmapped code.
 *
 * Expected, native: SIGSEGV under both compilers (pc == fault address,
 * called from glibc's __run_exit_handlers).
 */
#include "repro.h"

static REPRO_NOINLINE void *load_plugin(const char *path)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);
	int (*init)(void) = (int (*)(void))plugin_symbol(handle, "plugin_init");

	if (init() != 0) {
		fprintf(stderr, "plugin_init failed\n");
		exit(REPRO_EXIT_LOAD);
	}
	say("host: loaded %s, it registered an on_exit handler", path);
	return handle;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: host_onexit PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	unload_plugin(load_plugin(argv[1]));
	say("host: returning from main, exit handlers run next");
	return 0;
}
