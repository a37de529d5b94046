/*
 * threads_churn: many threads, each loading and unloading a plugin.
 *
 *   threads_churn PLUGIN.so
 *
 * 50 threads are created; each does 4 cycles of dlopen, dlsym, call,
 * dlclose of libplugin_small.so, concurrently with the others.  Tests a
 * tracer's handling of many clones and of load/unload events arriving
 * from several threads at once; nothing is kept past dlclose.
 *
 * Exit: 0 on success; 3 if a dlopen or dlsym failed; 4 if the plugin
 * returned a wrong value; 5 if a thread could not be created.
 */
#include <pthread.h>

#include "repro.h"

#define NTHREADS 50
#define CYCLES 4

struct churn {
	pthread_t thread;
	int status;
	char error[256];	/* dlerror() is per thread: copy it out */
};

static const char *plugin_path;

static REPRO_NOINLINE void *churn_thread(void *arg)
{
	struct churn *c = arg;
	int i;

	for (i = 0; i < CYCLES; i++) {
		void *handle = dlopen(plugin_path, RTLD_NOW | RTLD_LOCAL);
		int (*value)(void);

		if (!handle) {
			c->status = REPRO_EXIT_LOAD;
			snprintf(c->error, sizeof(c->error), "%s", dlerror());
			return NULL;
		}
		value = (int (*)(void))dlsym(handle, "plugin_value");
		if (!value) {
			c->status = REPRO_EXIT_LOAD;
			snprintf(c->error, sizeof(c->error), "%s", dlerror());
		} else if (value() != 7) {
			c->status = 4;
			snprintf(c->error, sizeof(c->error), "plugin_value() != 7");
		}
		dlclose(handle);
		if (c->status)
			return NULL;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	static struct churn churn[NTHREADS];
	static char path[4096];
	int i, status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: threads_churn PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	/* The same "./" rule as open_plugin(). */
	snprintf(path, sizeof(path), "%s%s", strchr(argv[1], '/') ? "" : "./",
		 argv[1]);
	plugin_path = path;

	for (i = 0; i < NTHREADS; i++) {
		int err = pthread_create(&churn[i].thread, NULL, churn_thread,
					 &churn[i]);

		if (err) {
			fprintf(stderr, "pthread_create: %s\n", strerror(err));
			return 5;
		}
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(churn[i].thread, NULL);
		if (churn[i].status && !status) {
			fprintf(stderr, "thread %d: %s\n", i, churn[i].error);
			status = churn[i].status;
		}
	}
	if (!status)
		say("host: %d load/unload cycles in %d threads", NTHREADS * CYCLES,
		    NTHREADS);
	return status;
}
