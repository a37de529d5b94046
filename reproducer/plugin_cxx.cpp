/*
 * libplugin_cxx.so: a service made with std::make_shared.
 *
 * The control block is a std::_Sp_counted_ptr_inplace<PluginService, ...>
 * instantiated here, so its vtable is in this library.  g++ also emits
 * std::_Sp_make_shared_tag::_S_ti()::__tag here as STB_GNU_UNIQUE (the
 * host does not define it, libstdc++ does not export it), which makes
 * glibc pin this library: the gcc build hides the bug, the clang build
 * crashes.
 */
#include "registry.hpp"

namespace {

struct PluginService : Service {
	int calls = 0;
	~PluginService() override {}
	int serve() override { return ++calls; }
};

}

extern "C" void plugin_register(Registry *registry)
{
	std::shared_ptr<PluginService> service = std::make_shared<PluginService>();

	registry->add(service);
	/* The only strong reference goes away here; the weak_ptr stays. */
}
