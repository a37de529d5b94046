/*
 * libplugin_ops.so: a C plugin that hands out a const table of function
 * pointers.  Both the table (relocated, so in the RELRO part of the data
 * segment) and the functions it points to are in this library: a host
 * that keeps either past dlclose holds a pointer into a gone mapping.
 */
#include "plugin_ops.h"

static int ops_run(void)
{
	return 42;
}

static int ops_stop(void)
{
	return 0;
}

static const struct plugin_ops ops = {
	.name = "ops",
	.run = ops_run,
	.stop = ops_stop,
};

const struct plugin_ops *plugin_get_ops(void)
{
	return &ops;
}
