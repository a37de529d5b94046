/*
 * attach_target: a process already running when teardown-audit attaches
 * to it (-p).  It writes READY (its pid) when set up, waits until the file
 * GO exists, then does its work:
 *
 *   attach_target crash READY GO PLUGIN.so
 *       keep a copy of ops->run, dlclose the plugin, call the copy:
 *       SIGSEGV in the jump to unmapped code (as host_c fnptr)
 *   attach_target cycles READY GO PLUGIN.so N
 *       N dlopen / run / dlclose cycles, then exit 0 (a breakpoint left
 *       behind by a tracer would end it with SIGTRAP instead)
 *   attach_target threads READY GO PLUGIN.so N
 *       N threads do dlopen / run / dlclose cycles until GO; then the
 *       main thread joins them and crashes as in "crash"
 *   attach_target spawn READY GO PLUGIN.so N
 *       N threads start /bin/true with posix_spawn (a vfork: the parent
 *       waits until the child has exec'd) and load and unload the plugin,
 *       until GO; then exit 0
 *
 * Exit 4: GO never came (60 s).
 */
#include "repro.h"
#include "plugin_ops.h"

#include <pthread.h>
#include <spawn.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_LIMIT_MS 60000

static const char *plugin;
static atomic_int stop_workers;

static void write_ready(const char *path)
{
	char tmp[4096];
	FILE *f;

	/* Renamed into place: whoever sees the file sees all of it. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		perror(path);
		exit(REPRO_EXIT_USAGE);
	}
}

static void wait_for(const char *path)
{
	struct timespec ten_ms = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < WAIT_LIMIT_MS / 10; i++) {
		if (access(path, F_OK) == 0)
			return;
		nanosleep(&ten_ms, NULL);
	}
	fprintf(stderr, "attach_target: %s never appeared\n", path);
	exit(4);
}

static REPRO_NOINLINE int cycle(void)
{
	void *handle = open_plugin(plugin, RTLD_NOW | RTLD_LOCAL);
	plugin_get_ops_fn *get_ops =
		(plugin_get_ops_fn *)plugin_symbol(handle, "plugin_get_ops");
	int r = get_ops()->run();

	if (dlclose(handle) != 0) {
		fprintf(stderr, "dlclose: %s\n", dlerror());
		exit(REPRO_EXIT_LOAD);
	}
	return r;
}

static void *worker(void *arg)
{
	long n = 0;

	(void)arg;
	while (!atomic_load(&stop_workers)) {
		cycle();
		n++;
	}
	return (void *)n;
}

extern char **environ;

static void *spawner(void *arg)
{
	char *argv[] = { (char *)"true", NULL };

	(void)arg;
	while (!atomic_load(&stop_workers)) {
		pid_t pid;
		int st;

		if (posix_spawn(&pid, "/bin/true", NULL, NULL, argv, environ) != 0 ||
		    waitpid(pid, &st, 0) != pid || st != 0) {
			fprintf(stderr, "attach_target: posix_spawn of /bin/true failed\n");
			exit(5);
		}
		cycle();
	}
	return NULL;
}

static REPRO_NOINLINE int call_kept_fnptr(int (*run)(void))
{
	say("host: calling kept function pointer");
	return run();
}

static REPRO_NOINLINE void crash(void)
{
	void *handle = open_plugin(plugin, RTLD_NOW | RTLD_LOCAL);
	plugin_get_ops_fn *get_ops =
		(plugin_get_ops_fn *)plugin_symbol(handle, "plugin_get_ops");
	int (*run)(void) = get_ops()->run;

	unload_plugin(handle);
	call_kept_fnptr(run);
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: attach_target crash|cycles|threads READY GO "
			"PLUGIN.so [N]\n");
		return REPRO_EXIT_USAGE;
	}
	plugin = argv[4];
	if (strcmp(argv[1], "crash") == 0) {
		write_ready(argv[2]);
		wait_for(argv[3]);
		crash();
	} else if (strcmp(argv[1], "cycles") == 0 && argc == 6) {
		int n = atoi(argv[5]);
		write_ready(argv[2]);
		wait_for(argv[3]);
		for (int i = 0; i < n; i++)
			cycle();
		say("host: %d cycles done", n);
		return 0;
	} else if (strcmp(argv[1], "spawn") == 0 && argc == 6) {
		int n = atoi(argv[5]);
		pthread_t t[64];

		if (n < 1 || n > 64)
			return REPRO_EXIT_USAGE;
		for (int i = 0; i < n; i++)
			pthread_create(&t[i], NULL, spawner, NULL);
		write_ready(argv[2]);
		wait_for(argv[3]);
		atomic_store(&stop_workers, 1);
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		say("host: %d spawners joined", n);
	} else if (strcmp(argv[1], "threads") == 0 && argc == 6) {
		int n = atoi(argv[5]);
		pthread_t t[64];

		if (n < 1 || n > 64)
			return REPRO_EXIT_USAGE;
		for (int i = 0; i < n; i++)
			pthread_create(&t[i], NULL, worker, NULL);
		/* Ready once every worker has done a cycle: mid-work. */
		write_ready(argv[2]);
		wait_for(argv[3]);
		atomic_store(&stop_workers, 1);
		for (int i = 0; i < n; i++)
			pthread_join(t[i], NULL);
		say("host: %d workers joined", n);
		crash();
	} else {
		fprintf(stderr, "attach_target: unknown mode %s\n", argv[1]);
		return REPRO_EXIT_USAGE;
	}
	say("host: done");
	return 0;
}
