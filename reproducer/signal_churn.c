/*
 * signal_churn: threads load and unload a plugin in a loop while a timer
 * signal interrupts each of them every 200 microseconds.
 *
 *   signal_churn PLUGIN.so
 *
 * The main thread opens the plugin once and keeps it, so every dlclose of
 * the workers leaves it mapped.  4 workers each make 100 cycles of
 * dlopen and dlclose (from one call site, so that a tracer's breakpoint at
 * the return of dlclose is stepped over by several threads at once), each
 * with its own POSIX timer sending it SIGALRM (SA_RESTART).  Tests a
 * tracer's single-steps interrupted by signals.
 *
 * Exit: 0 on success, printing the cycles and how many signals arrived;
 * 3 if a dlopen failed; 5 if a thread or a timer could not be created.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "repro.h"

#define NTHREADS 4
#define CYCLES 100
#define PERIOD_NS 200000

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static const char *plugin_path;
static atomic_uint signals;
static atomic_int failed;

static void on_alarm(int sig)
{
	(void)sig;
	atomic_fetch_add(&signals, 1);
}

static REPRO_NOINLINE void close_plugin(void *handle)
{
	dlclose(handle);
}

static void *worker(void *arg)
{
	struct sigevent sev;
	struct itimerspec its = { { 0, PERIOD_NS }, { 0, PERIOD_NS } };
	timer_t timer;

	(void)arg;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0 ||
	    timer_settime(timer, 0, &its, NULL) != 0) {
		atomic_store(&failed, 5);
		return NULL;
	}
	for (int i = 0; i < CYCLES; i++) {
		void *handle = dlopen(plugin_path, RTLD_NOW | RTLD_LOCAL);

		if (!handle) {
			atomic_store(&failed, REPRO_EXIT_LOAD);
			break;
		}
		close_plugin(handle);
	}
	timer_delete(timer);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[NTHREADS];
	struct sigaction sa;

	if (argc != 2) {
		fprintf(stderr, "usage: signal_churn PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);

	void *keep = open_plugin(argv[1], RTLD_NOW | RTLD_LOCAL);
	plugin_path = argv[1];
	for (int i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, NULL) != 0) {
			fprintf(stderr, "pthread_create failed\n");
			return 5;
		}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	if (atomic_load(&failed))
		return atomic_load(&failed);
	say("host: %d load/unload cycles, %u signals", NTHREADS * CYCLES,
	    atomic_load(&signals));
	dlclose(keep);
	return 0;
}
