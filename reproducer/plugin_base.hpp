/*
 * The interface between host_classloader and libplugin_classloader.so,
 * shaped like a ROS 2 component: the host creates the plugin through
 * class_loader and hands it its own Registry (see registry.hpp).
 */
#ifndef PLUGIN_BASE_HPP
#define PLUGIN_BASE_HPP

#include "registry.hpp"

class PluginBase {
public:
	virtual ~PluginBase() {}
	virtual void start(Registry &registry) = 0;
};

#endif
