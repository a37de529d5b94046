/*
 * tree: a launcher that runs N short children one after the other, each
 * by fork and exec, waiting for each.
 *
 *   tree N PROGRAM [ARGS...]
 *
 * Every child is a new process image a tracer has to follow: its exec, its
 * dynamic linker's start-up, its exit.
 * Exit 0, or 1 if a child could not be started or did not exit 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: tree N PROGRAM [ARGS...]\n");
		return 2;
	}
	long n = atol(argv[1]);

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("tree: fork");
			return 1;
		}
		if (pid == 0) {
			execv(argv[2], argv + 2);
			fprintf(stderr, "tree: %s: %s\n", argv[2], strerror(errno));
			_exit(127);
		}
		int st;
		while (waitpid(pid, &st, 0) < 0)
			if (errno != EINTR) {
				perror("tree: waitpid");
				return 1;
			}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "tree: child %ld ended with status %#x\n", i, st);
			return 1;
		}
	}
	return 0;
}
