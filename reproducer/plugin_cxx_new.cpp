/*
 * libplugin_cxx_new.so: a service made with std::shared_ptr<T>(new T).
 *
 * The control block is a std::_Sp_counted_ptr<PluginService *, ...>,
 * vtable in this library.  Unlike make_shared this needs no
 * _Sp_make_shared_tag, so g++ emits no STB_GNU_UNIQUE symbol, the library
 * really goes away at dlclose and the bug crashes under both compilers.
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
	std::shared_ptr<Service> service(new PluginService);

	registry->add(service);
}
