/*
 * libplugin_nsops.so: libplugin_ops.so's interface, with a call into libc
 * so that the plugin needs libc.so.6: loaded by dlmopen into a namespace
 * of its own, it brings that namespace its own copy of libc.
 */
#include "plugin_ops.h"

#include <stdlib.h>

static int ops_run(void)
{
	return (int)strtol("42", NULL, 10);
}

static int ops_stop(void)
{
	return 0;
}

static const struct plugin_ops ops = {
	.name = "nsops",
	.run = ops_run,
	.stop = ops_stop,
};

const struct plugin_ops *plugin_get_ops(void)
{
	return &ops;
}
