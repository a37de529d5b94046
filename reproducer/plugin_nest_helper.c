/*
 * libplugin_nest_helper.so: the helper plugin that
 * libplugin_nest_outer.so loads and unloads.
 */
#include <stdio.h>

void helper_callback(void)
{
	puts("helper: callback");
}
