/* selfkill: load a plugin in a few threads, then SIGKILL ourselves while
   they run. */
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static const char *plugin;

static void *
spin(void *arg)
{
	(void)arg;
	for (;;) {
		void *h = dlopen(plugin, RTLD_NOW);
		if (h)
			dlclose(h);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: selfkill PLUGIN.so\n");
		return 2;
	}
	plugin = argv[1];
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, spin, NULL);
	usleep(100000);
	kill(getpid(), SIGKILL);
	return 0;
}
