/* The interface between host_c / host_deleted and libplugin_ops.so. */
#ifndef PLUGIN_OPS_H
#define PLUGIN_OPS_H

struct plugin_ops {
	const char *name;
	int (*run)(void);
	int (*stop)(void);
};

const struct plugin_ops *plugin_get_ops(void);
typedef const struct plugin_ops *plugin_get_ops_fn(void);

#endif
