/*
 * libplugin_reload_b.so: version 2 of the plugin host_reload reloads;
 * same size as version 1 (so glibc maps it at the same address), but a
 * different layout of its data.  See plugin_reload_a.cpp.
 */
#include "widget.hpp"

namespace {

struct WidgetB : Widget {
	int describe() override { return 2; }
};

}

extern "C" Widget *plugin_create(void)
{
	return new WidgetB;
}
