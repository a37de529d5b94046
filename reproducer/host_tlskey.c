/*
 * host_tlskey: a pthread key destructor in a plugin runs after unload.
 *
 *   host_tlskey PLUGIN.so
 *
 * libplugin_tlskey.so creates a pthread key whose destructor is plugin
 * code, and gives the calling thread a value for it.  The host starts a
 * worker that calls into the plugin for such a value, unloads the plugin
 * while the worker waits on a barrier, then lets the worker exit: glibc
 * runs the key's destructor for the worker's non-NULL value, a jump into
 * unmapped code on a thread other than the main one.
 *
 * Expected, native: SIGSEGV under both compilers, in the worker thread
 * (pc == fault address, called from glibc's __nptl_deallocate_tsd).
 */
#include <pthread.h>

#include "repro.h"

typedef int plugin_attach_fn(void);

/* attached: the worker holds a key value; released: the plugin is gone. */
static pthread_barrier_t attached, released;
static plugin_attach_fn *attach;

static REPRO_NOINLINE void *worker_main(void *arg)
{
	(void)arg;
	if (attach() != 0) {
		fprintf(stderr, "plugin_attach_thread failed\n");
		exit(REPRO_EXIT_LOAD);
	}
	pthread_barrier_wait(&attached);
	pthread_barrier_wait(&released);
	/* Returning ends the thread: key destructors run now. */
	return NULL;
}

static REPRO_NOINLINE void *load_plugin(const char *path)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);

	attach = (plugin_attach_fn *)plugin_symbol(handle, "plugin_attach_thread");
	say("host: loaded %s", path);
	return handle;
}

static REPRO_NOINLINE void release_worker(pthread_t worker)
{
	say("host: releasing worker thread");
	pthread_barrier_wait(&released);
	pthread_join(worker, NULL);
}

int main(int argc, char **argv)
{
	pthread_t worker;
	void *handle;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: host_tlskey PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	pthread_barrier_init(&attached, NULL, 2);
	pthread_barrier_init(&released, NULL, 2);

	handle = load_plugin(argv[1]);
	err = pthread_create(&worker, NULL, worker_main, NULL);
	if (err) {
		fprintf(stderr, "pthread_create: %s\n", strerror(err));
		return 1;
	}
	pthread_barrier_wait(&attached);
	say("host: worker thread holds a plugin key value");
	unload_plugin(handle);
	release_worker(worker);
	say("host: done");
	return 0;
}
