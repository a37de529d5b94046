/* The interface between host_reload and libplugin_reload_{a,b}.so. */
#ifndef WIDGET_HPP
#define WIDGET_HPP

struct Widget {
	virtual ~Widget() {}
	virtual int describe() = 0;
};

/* Exported by both plugins. */
extern "C" Widget *plugin_create(void);
typedef Widget *plugin_create_fn(void);

#endif
