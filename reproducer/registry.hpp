/*
 * The interface between host_cxx and its plugins.
 *
 * The Registry belongs to the host and outlives the plugins, like a
 * node's callback groups outlive the component that added entities to
 * them.  It only holds weak_ptrs: it never keeps a plugin object alive,
 * yet every weak_ptr keeps the object's control block alive, and that
 * control block was built by plugin code, with a vtable in the plugin.
 */
#ifndef REGISTRY_HPP
#define REGISTRY_HPP

#include <memory>
#include <vector>

struct Service {
	virtual ~Service() {}
	virtual int serve() = 0;
};

struct Registry {
	std::vector<std::weak_ptr<Service>> entries;

	void add(const std::shared_ptr<Service> &s) { entries.push_back(s); }
};

/* Exported by every plugin: create services and register them. */
extern "C" void plugin_register(Registry *registry);
typedef void plugin_register_fn(Registry *registry);

#endif
