/*
 * libplugin_thread.so: starts a worker thread that lives in the plugin's
 * code, and has no function to stop it.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <unistd.h>

int plugin_start(void);

static pthread_barrier_t running;

static __attribute__((noinline)) void *worker_loop(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&running);
	for (;;)
		usleep(100 * 1000);
	return NULL;
}

int plugin_start(void)
{
	pthread_t worker;

	pthread_barrier_init(&running, NULL, 2);
	if (pthread_create(&worker, NULL, worker_loop, NULL) != 0)
		return -1;
	pthread_setname_np(worker, "plugin-worker");
	pthread_detach(worker);
	pthread_barrier_wait(&running);
	return 0;
}
