/*
 * host_mainexit: the main thread calls pthread_exit first; a worker goes
 * on alone, as in daemons and some nodes.  /proc/PID/maps of such a
 * process reads empty, and its memory cannot be read through its pid.
 *
 *   host_mainexit fnptr PLUGIN.so   the worker loads the plugin, keeps
 *                                   ops->run, unloads it, calls run()
 *   host_mainexit null PLUGIN.so    the worker loads the plugin, keeps it
 *                                   loaded, and reads through NULL
 *
 * Expected, native, both compilers, with libplugin_ops.so: SIGSEGV in the
 * worker.  fnptr: the jump to the plugin's unmapped code (pc == fault
 * address).  null: a read at address 0 in read_null, the plugin still
 * loaded and nothing ever unloaded.
 */
#include "repro.h"
#include "plugin_ops.h"

#include <pthread.h>
#include <unistd.h>

static const char *plugin_path;
static int use_null;

static REPRO_NOINLINE int call_kept_fnptr(int (*run)(void))
{
	say("worker: calling kept function pointer");
	return run();
}

static REPRO_NOINLINE int read_null(void)
{
	volatile int *volatile p = NULL;

	say("worker: reading through NULL");
	return *p;
}

static void *worker(void *arg)
{
	void *handle = open_plugin(plugin_path, RTLD_NOW | RTLD_LOCAL);
	plugin_get_ops_fn *get_ops =
		(plugin_get_ops_fn *)plugin_symbol(handle, "plugin_get_ops");
	const struct plugin_ops *ops = get_ops();
	int (*run)(void) = ops->run;

	(void)arg;
	/* Make sure the main thread is gone before anything happens. */
	usleep(100 * 1000);
	say("worker: loaded %s, run() = %d", plugin_path, run());
	if (use_null) {
		read_null();
	} else {
		unload_plugin(handle);
		call_kept_fnptr(run);
	}
	say("worker: survived");
	exit(0);
}

int main(int argc, char **argv)
{
	pthread_t t;

	if (argc != 3 || (strcmp(argv[1], "fnptr") && strcmp(argv[1], "null"))) {
		fprintf(stderr, "usage: host_mainexit fnptr|null PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	use_null = strcmp(argv[1], "null") == 0;
	plugin_path = argv[2];
	if (pthread_create(&t, NULL, worker, NULL) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		return REPRO_EXIT_LOAD;
	}
	say("main: exiting the main thread");
	pthread_exit(NULL);
}
