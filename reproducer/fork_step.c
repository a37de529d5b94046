/*
 * fork_step: a fork while other threads are stepping over a breakpoint.
 *
 *   fork_step PLUGIN.so
 *
 * The main thread opens the plugin once and keeps it.  3 workers make
 * dlopen/dlclose cycles from one call site (cycle()) without pause: a
 * tracer's breakpoint at the return of that dlclose is then often being
 * stepped over, its int3 taken out, by one of them.  Meanwhile the main
 * thread forks 60 children, one after the other; each child makes 3
 * cycles through the same cycle() and exits 0.  A child whose copy of
 * memory lacks an int3 its tracer believes is there is not seen returning
 * from dlclose.
 *
 * Exit: 0 when every child exited 0, printing the cycles; 3 if a dlopen
 * failed; 5 if a thread or a child could not be created; 6 if a child
 * failed.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "repro.h"

#define NTHREADS 3
#define NCHILDREN 60
#define CHILD_CYCLES 3

static const char *plugin_path;
static atomic_int stop;
static atomic_uint cycles;

static REPRO_NOINLINE int cycle(void)
{
	void *handle = dlopen(plugin_path, RTLD_NOW | RTLD_LOCAL);

	if (!handle)
		return -1;
	dlclose(handle);
	return 0;
}

static void *worker(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		if (cycle() != 0) {
			atomic_store(&stop, REPRO_EXIT_LOAD);
			break;
		}
		atomic_fetch_add(&cycles, 1);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	int status = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: fork_step PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	void *keep = open_plugin(argv[1], RTLD_NOW | RTLD_LOCAL);
	plugin_path = argv[1];
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 5;
		}
	for (int i = 0; i < NCHILDREN && !status; i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0) {
			status = 5;
			break;
		}
		if (pid == 0) {
			for (int k = 0; k < CHILD_CYCLES; k++)
				if (cycle() != 0)
					_exit(REPRO_EXIT_LOAD);
			_exit(0);
		}
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "child %d: status %#x\n", (int)pid, st);
			status = 6;
		}
	}
	if (!atomic_load(&stop))
		atomic_store(&stop, 1);
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	if (!status && atomic_load(&stop) > 1)
		status = atomic_load(&stop);
	if (!status)
		say("host: %d children, %d cycles each; %u cycles in the threads",
		    NCHILDREN, CHILD_CYCLES, atomic_load(&cycles));
	dlclose(keep);
	return status;
}
