/*
 * libplugin_withdep.so: an ops plugin whose run() is in the library it
 * links, libplugin_dep.so.  One dlclose unloads the two; a pointer the
 * host keeps to run() points into the dependency, not the plugin.
 */
#include "plugin_ops.h"

int dep_run(void);

static int withdep_stop(void)
{
	return 0;
}

static const struct plugin_ops ops = { "withdep", dep_run, withdep_stop };

const struct plugin_ops *plugin_get_ops(void)
{
	return &ops;
}
