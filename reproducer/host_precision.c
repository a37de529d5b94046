/*
 * host_precision: the cases behind numbers and frames of the report that
 * must be exact (a block's offset, the end of a stack, a signal frame, a
 * nested dlclose, a library kept by a thread_local destructor).
 *
 *   host_precision edge PLUGIN.so
 *	libplugin_precision.so fills a 24-byte malloc block whose last word
 *	(offset 16, the word glibc lends to the next chunk's prev_size) is
 *	a pointer to a plugin function; the host keeps the block and the
 *	one after it, unloads the plugin and exits 0: a latent finding.
 *   host_precision thread PLUGIN.so
 *	a worker thread sleeps in the plugin (plugin_nap), the host unloads
 *	it: the worker returns into unmapped code.  SIGSEGV, in the worker.
 *   host_precision thread-noframe PLUGIN.so
 *	the same in plugin_nap_noframe, which leaves no return address at
 *	the top of the stack nor a frame pointer.  SIGSEGV, in the worker.
 *   host_precision sighandler PLUGIN.so
 *	the plugin installs a SIGUSR1 handler; the host unloads it and
 *	raises SIGUSR1: the kernel calls unmapped code.  SIGSEGV.
 *   host_precision sigcrash
 *	the host's own SIGUSR1 handler writes through NULL: a fault under
 *	the signal trampoline, no plugin involved.  SIGSEGV.
 *   host_precision nested OUTER.so HELPER.so
 *	libplugin_nest_outer.so loads libplugin_nest_helper.so and hands
 *	the host a callback in it; the outer plugin's destructor dlcloses
 *	the helper, so glibc unloads the helper at the end of the host's
 *	dlclose of the outer plugin.  The host calls the callback: SIGSEGV.
 *   host_precision tlsdtor PLUGIN.so
 *	libplugin_tlsdtor.so has a thread_local object with a destructor;
 *	the main thread uses it, so the plugin stays mapped after its last
 *	dlclose until the main thread ends.  Exit 0.
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "repro.h"

typedef void plugin_fn(void);

static REPRO_NOINLINE void *load_plugin(const char *path)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);

	say("host: loaded %s", path);
	return handle;
}

static REPRO_NOINLINE int edge(const char *path)
{
	void *handle = load_plugin(path);
	void **(*make)(void) = (void **(*)(void))plugin_symbol(handle, "plugin_make_edge");
	void **block = make();
	/* The next chunk stays allocated: the word at offset 16 must not be
	   taken for a word of this one. */
	void **next = malloc(24);

	memset(next, 0, 24);
	unload_plugin(handle);
	say("host: kept block %p and %p", (void *)block, (void *)next);
	return 0;
}

static volatile int napping;

static REPRO_NOINLINE void *worker_main(void *arg)
{
	plugin_fn *nap = (plugin_fn *)arg;

	napping = 1;
	nap();
	return NULL;
}

static REPRO_NOINLINE int thread(const char *path, const char *fn)
{
	void *handle = load_plugin(path);
	plugin_fn *nap = (plugin_fn *)plugin_symbol(handle, fn);
	pthread_t worker;

	if (pthread_create(&worker, NULL, worker_main, (void *)nap) != 0)
		return REPRO_EXIT_LOAD;
	while (!napping)
		usleep(1000);
	usleep(50000);
	unload_plugin(handle);
	pthread_join(worker, NULL);
	return 0;
}

static REPRO_NOINLINE int sighandler(const char *path)
{
	void *handle = load_plugin(path);
	plugin_fn *install = (plugin_fn *)plugin_symbol(handle, "plugin_install_handler");

	install();
	unload_plugin(handle);
	say("host: raising SIGUSR1");
	raise(SIGUSR1);
	return 0;
}

static void crash_handler(int sig)
{
	(void)sig;
	*(volatile int *)0 = 1;
}

static REPRO_NOINLINE int sigcrash(void)
{
	signal(SIGUSR1, crash_handler);
	say("host: raising SIGUSR1");
	raise(SIGUSR1);
	return 0;
}

static REPRO_NOINLINE int nested(const char *outer, const char *helper)
{
	void *handle = load_plugin(outer);
	plugin_fn *(*start)(const char *) =
		(plugin_fn *(*)(const char *))plugin_symbol(handle, "plugin_outer_start");
	plugin_fn *callback = start(helper);

	unload_plugin(handle);
	say("host: calling the helper's callback");
	callback();
	return 0;
}

static REPRO_NOINLINE int tlsdtor(const char *path)
{
	void *handle = load_plugin(path);
	plugin_fn *use = (plugin_fn *)plugin_symbol(handle, "plugin_use_thread_local");

	use();
	unload_plugin(handle);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "edge") == 0)
		return edge(argv[2]);
	if (argc == 3 && strcmp(argv[1], "thread") == 0)
		return thread(argv[2], "plugin_nap");
	if (argc == 3 && strcmp(argv[1], "thread-noframe") == 0)
		return thread(argv[2], "plugin_nap_noframe");
	if (argc == 3 && strcmp(argv[1], "sighandler") == 0)
		return sighandler(argv[2]);
	if (argc == 2 && strcmp(argv[1], "sigcrash") == 0)
		return sigcrash();
	if (argc == 4 && strcmp(argv[1], "nested") == 0)
		return nested(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "tlsdtor") == 0)
		return tlsdtor(argv[2]);
	fprintf(stderr, "usage: host_precision edge|thread|thread-noframe|sighandler PLUGIN.so\n"
		"       host_precision sigcrash\n"
		"       host_precision nested OUTER.so HELPER.so\n"
		"       host_precision tlsdtor PLUGIN.so\n");
	return REPRO_EXIT_USAGE;
}
