/*
 * host_cxx: a weak_ptr outlives the plugin that made its control block.
 *
 *   host_cxx [--clean] PLUGIN.so
 *
 * The plugin creates a service with std::make_shared (libplugin_cxx.so)
 * or std::shared_ptr<T>(new T) (libplugin_cxx_new.so), registers a
 * weak_ptr to it in the host's Registry and drops its own reference: the
 * service is destroyed, its control block lives on for the weak_ptr.
 * The host then unloads the plugin and only afterwards destroys the
 * registry.  ~weak_ptr -> _M_weak_release() -> virtual _M_destroy()
 * through the control block's vtable, which was in the plugin.
 *
 * Expected, native:
 *   clang, either plugin:             SIGSEGV reading the unmapped vtable
 *   gcc, libplugin_cxx.so:            exit 0 -- make_shared makes g++ emit
 *                                     an STB_GNU_UNIQUE symbol, glibc pins
 *                                     the plugin and the bug stays latent
 *   gcc, libplugin_cxx_new.so:        SIGSEGV (no UNIQUE symbol, unmapped)
 *   --clean, any build, any plugin:   exit 0 (registry destroyed first)
 */
#include "repro.h"
#include "registry.hpp"

static Registry *registry;

static REPRO_NOINLINE void *load_plugin(const char *path)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);
	auto reg = (plugin_register_fn *)plugin_symbol(handle, "plugin_register");

	reg(registry);
	say("host: loaded %s, %zu service(s) registered", path,
	    registry->entries.size());
	return handle;
}

/* The last weak_ptr to each service dies here. */
static REPRO_NOINLINE void destroy_registry(void)
{
	say("host: destroying registry");
	delete registry;
	registry = nullptr;
}

int main(int argc, char **argv)
{
	bool clean = false;
	void *handle;

	if (argc == 3 && strcmp(argv[1], "--clean") == 0) {
		clean = true;
		argv++;
		argc--;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: host_cxx [--clean] PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}

	registry = new Registry;
	handle = load_plugin(argv[1]);
	if (clean) {
		destroy_registry();
		unload_plugin(handle);
	} else {
		unload_plugin(handle);
		destroy_registry();
	}
	say("host: done");
	return 0;
}
