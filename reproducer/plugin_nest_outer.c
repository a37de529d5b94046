/*
 * libplugin_nest_outer.so: a plugin manager inside a plugin.  It loads
 * the helper plugin it is given and dlcloses it in its own destructor,
 * that is inside the host's dlclose of this plugin.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef void plugin_fn(void);

static void *helper;

plugin_fn *plugin_outer_start(const char *path)
{
	helper = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!helper) {
		fprintf(stderr, "cannot load helper %s: %s\n", path, dlerror());
		exit(3);
	}
	plugin_fn *cb = (plugin_fn *)dlsym(helper, "helper_callback");
	if (!cb) {
		fprintf(stderr, "helper has no helper_callback\n");
		exit(3);
	}
	return cb;
}

__attribute__((noinline)) void outer_unload_helper(void)
{
	if (helper && dlclose(helper) != 0)
		fprintf(stderr, "dlclose helper: %s\n", dlerror());
	helper = NULL;
}

__attribute__((destructor)) static void outer_fini(void)
{
	outer_unload_helper();
}
