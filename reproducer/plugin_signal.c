/*
 * libplugin_signal.so: installs a SIGUSR1 handler, and never puts the
 * previous one back.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

int plugin_init(void);

static volatile sig_atomic_t usr1_seen;

static __attribute__((noinline)) void plugin_on_usr1(int sig)
{
	(void)sig;
	usr1_seen++;
}

int plugin_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plugin_on_usr1;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGUSR1, &sa, NULL);
}
