/*
 * bench-timer: run a command and print its wall-clock time.
 *
 *   bench-timer [-t SECONDS] [-o FILE] [-e FILE] -- COMMAND [ARGS...]
 *
 * The command gets /dev/null as stdin, and as stdout and stderr unless
 * -o / -e name a file.  One line goes to our stdout:
 *
 *   SECONDS STATUS MAXRSS_KIB
 *
 * SECONDS from CLOCK_MONOTONIC around fork and wait (nanosecond clock, no
 * shell or date(1) start-up in the figure); STATUS is the exit code,
 * "sigN" for a command killed by signal N, or "timeout" when -t SECONDS
 * passed first (the command's process group is then killed); MAXRSS_KIB is
 * the command's own peak RSS (ru_maxrss of the process we waited for).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t timed_out;
static pid_t child;

static void
on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	kill(-child, SIGKILL);
	kill(child, SIGKILL);
}

/* Interrupted: the command is in a group of its own, out of reach of the
   terminal's signals, so it goes with us. */
static void
on_interrupt(int sig)
{
	if (child > 0) {
		kill(-child, SIGKILL);
		kill(child, SIGKILL);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
redirect(int fd, const char *path, int flags)
{
	int f = open(path, flags, 0644);
	if (f < 0) {
		fprintf(stderr, "bench-timer: %s: %s\n", path, strerror(errno));
		_exit(125);
	}
	if (f != fd) {
		dup2(f, fd);
		close(f);
	}
}

int
main(int argc, char **argv)
{
	const char *out = "/dev/null", *err = "/dev/null";
	unsigned int limit = 0;
	int c;

	while ((c = getopt(argc, argv, "+t:o:e:")) != -1) {
		switch (c) {
		case 't':
			limit = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 'o':
			out = optarg;
			break;
		case 'e':
			err = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: bench-timer [-t SECONDS] [-o FILE] [-e FILE] -- COMMAND [ARGS...]\n");
		return 2;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: wait4 must return */
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_handler = on_interrupt;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	child = fork();
	if (child < 0) {
		perror("bench-timer: fork");
		return 2;
	}
	if (child == 0) {
		/* Its own process group, so a timeout takes the whole tree. */
		setpgid(0, 0);
		redirect(0, "/dev/null", O_RDONLY);
		redirect(1, out, O_WRONLY | O_CREAT | O_TRUNC);
		redirect(2, err, O_WRONLY | O_CREAT | O_TRUNC);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "bench-timer: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	setpgid(child, child);
	if (limit)
		alarm(limit);

	int status;
	struct rusage ru;
	pid_t r;
	while ((r = wait4(child, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	alarm(0);
	if (r < 0) {
		perror("bench-timer: wait4");
		return 2;
	}
	/* Whatever the command left behind in its group goes too. */
	kill(-child, SIGKILL);

	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (timed_out)
		printf("%.6f timeout %ld\n", s, ru.ru_maxrss);
	else if (WIFSIGNALED(status))
		printf("%.6f sig%d %ld\n", s, WTERMSIG(status), ru.ru_maxrss);
	else
		printf("%.6f %d %ld\n", s, WEXITSTATUS(status), ru.ru_maxrss);
	return 0;
}
