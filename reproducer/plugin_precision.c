/*
 * libplugin_precision.so: plugin code for host_precision's edge, thread
 * and sighandler cases.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) void plugin_edge_target(void)
{
}

/* 24 bytes: a 32-byte chunk whose last usable word, at offset 16, is
   the next chunk's prev_size field. */
void **plugin_make_edge(void)
{
	void **block = malloc(24);

	memset(block, 0, 24);
	block[2] = (void *)plugin_edge_target;
	return block;
}

void plugin_nap(void)
{
	usleep(300000);
}

static void plugin_handler(int sig)
{
	(void)sig;
}

void plugin_install_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plugin_handler;
	sigaction(SIGUSR1, &sa, NULL);
}
