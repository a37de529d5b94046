/*
 * host_reload: a stale object calls into the library that replaced its
 * plugin at the same address.
 *
 *   host_reload PLUGIN_A.so PLUGIN_B.so
 *
 * The host loads version 1 of a plugin (libplugin_reload_a.so), keeps a
 * raw pointer to a Widget it made, unloads it and loads version 2
 * (libplugin_reload_b.so), the way a hot reload does.  Both versions span
 * the same number of pages and nothing else is mapped in between, so the
 * kernel hands version 2 the hole version 1 left.  The stale widget's vptr
 * now points into version 2, where its describe() slot reads zero padding:
 * the virtual call jumps to address 0.  A tool must see that the vtable
 * address belonged to version 1, not to the library mapped there now.
 *
 * Expected, native, both compilers: "A at X, B at X (same address)", then
 * SIGSEGV with pc == 0, called from call_stale_widget.
 */
#include <link.h>

#include "repro.h"
#include "widget.hpp"

static REPRO_NOINLINE void *load_plugin(const char *path, uintptr_t *base)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);
	struct link_map *map;

	if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0) {
		fprintf(stderr, "dlinfo %s: %s\n", path, dlerror());
		exit(REPRO_EXIT_LOAD);
	}
	*base = map->l_addr;
	return handle;
}

static REPRO_NOINLINE int call_stale_widget(Widget *widget)
{
	say("host: calling describe() on the widget plugin A made");
	return widget->describe();
}

int main(int argc, char **argv)
{
	uintptr_t base_a, base_b;
	Widget *widget;
	void *handle;

	if (argc != 3) {
		fprintf(stderr, "usage: host_reload PLUGIN_A.so PLUGIN_B.so\n");
		return REPRO_EXIT_USAGE;
	}

	handle = load_plugin(argv[1], &base_a);
	widget = ((plugin_create_fn *)plugin_symbol(handle, "plugin_create"))();
	say("host: loaded %s, widget describe() = %d", argv[1], widget->describe());
	unload_plugin(handle);

	/* B stays loaded: the crash happens inside its live mapping. */
	handle = load_plugin(argv[2], &base_b);
	say("host: loaded %s", argv[2]);
	say("host: A at %#lx, B at %#lx (%s address)", (unsigned long)base_a,
	    (unsigned long)base_b, base_a == base_b ? "same" : "different");

	call_stale_widget(widget);
	say("host: done");
	return 0;
}
