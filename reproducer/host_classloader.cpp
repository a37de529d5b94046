/*
 * host_classloader: the bug through ROS 2's class_loader.
 *
 *   host_classloader PLUGIN.so
 *
 * The host creates a class_loader::ClassLoader for libplugin_classloader.so,
 * creates a PluginImpl through it and lets it register make_shared
 * objects in the host's Registry.  Then, in the order a careless node
 * teardown uses: the instance is destroyed, the ClassLoader is destroyed
 * (class_loader -> rcpputils::SharedLibrary -> rcutils_unload_shared_library
 * -> dlclose), and only then the registry, whose weak_ptrs release
 * control blocks with vtables in the plugin.
 *
 * The g++ build is pinned, as in host_cxx, but by another symbol: the
 * plugin's std::_Sp_make_shared_tag::_S_ti()::__tag binds to the copy
 * libclass_loader.so exports, while std::piecewise_construct (a C++17
 * inline variable, used by the std::map code class_loader's registerPlugin
 * template instantiates here) is STB_GNU_UNIQUE and defined by no object
 * loaded earlier, so glibc marks the plugin NODELETE.
 *
 * Expected, native:
 *   clang: SIGSEGV in _M_weak_release(), called from destroy_registry
 *   gcc:   exit 0 -- the plugin stays mapped, the bug stays latent
 */
#include <class_loader/class_loader.hpp>

#include "repro.h"
#include "plugin_base.hpp"

static Registry *registry;

static REPRO_NOINLINE class_loader::ClassLoader *load_plugin(const char *path)
{
	std::string lib = strchr(path, '/') ? path : std::string("./") + path;
	class_loader::ClassLoader *loader;

	try {
		loader = new class_loader::ClassLoader(lib);
	} catch (const class_loader::ClassLoaderException &e) {
		fprintf(stderr, "cannot load plugin %s: %s\n", path, e.what());
		exit(REPRO_EXIT_LOAD);
	}
	say("host: loaded %s", path);
	return loader;
}

static REPRO_NOINLINE void start_plugin(class_loader::ClassLoader *loader)
{
	std::shared_ptr<PluginBase> instance;

	try {
		instance = loader->createInstance<PluginBase>("PluginImpl");
	} catch (const class_loader::ClassLoaderException &e) {
		fprintf(stderr, "cannot create PluginImpl: %s\n", e.what());
		exit(REPRO_EXIT_LOAD);
	}
	instance->start(*registry);
	say("host: plugin registered %zu object(s); destroying the instance",
	    registry->entries.size());
}

/* ~ClassLoader unloads the library: the dlclose happens in here. */
static REPRO_NOINLINE void unload_plugin(class_loader::ClassLoader *loader)
{
	delete loader;
	say("host: unloaded plugin");
}

static REPRO_NOINLINE void destroy_registry(void)
{
	say("host: destroying registry");
	delete registry;
	registry = nullptr;
}

int main(int argc, char **argv)
{
	class_loader::ClassLoader *loader;

	if (argc != 2) {
		fprintf(stderr, "usage: host_classloader PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	registry = new Registry;
	loader = load_plugin(argv[1]);
	start_plugin(loader);
	unload_plugin(loader);
	destroy_registry();
	say("host: done");
	return 0;
}
