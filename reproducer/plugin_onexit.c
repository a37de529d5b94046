/*
 * libplugin_onexit.so: registers an exit handler that outlives it.
 * See host_onexit.c for why on_exit() and not atexit().
 */
#include <stdio.h>
#include <stdlib.h>

int plugin_init(void);

static void plugin_exit_handler(int status, void *arg)
{
	(void)arg;
	fprintf(stderr, "plugin: exit handler, status %d\n", status);
}

int plugin_init(void)
{
	return on_exit(plugin_exit_handler, NULL);
}
