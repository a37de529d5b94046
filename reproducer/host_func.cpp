/*
 * host_func: a std::function made by a plugin outlives the plugin.
 *
 *   host_func PLUGIN.so
 *
 * libplugin_func.so stores a lambda with large captures in the host's
 * global std::function.  The captures do not fit the small buffer, so the
 * lambda is on the heap and the std::function's manager and invoker are
 * instantiated in the plugin.  The host unloads the plugin and returns;
 * exit() runs the global's destructor, which calls the manager to free
 * the lambda: a jump into unmapped code, from a static destructor.
 *
 * Expected, native: SIGSEGV under both compilers (pc == fault address,
 * caller std::_Function_base::~_Function_base during exit); g++ emits no
 * STB_GNU_UNIQUE symbol for this plugin, so nothing pins it.
 */
#include <functional>

#include "repro.h"

/* Set by the plugin; destroyed by exit(), long after unload_plugin(). */
std::function<int(int)> plugin_callback;

typedef void plugin_install_fn(std::function<int(int)> *slot);

static REPRO_NOINLINE void *load_plugin(const char *path)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);
	auto install = (plugin_install_fn *)plugin_symbol(handle, "plugin_install");

	install(&plugin_callback);
	say("host: loaded %s, callback(1) = %d", path, plugin_callback(1));
	return handle;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: host_func PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	unload_plugin(load_plugin(argv[1]));
	say("host: returning from main, static destructors run next");
	return 0;
}
