/* fork200: 200 children, each exiting with its own status; the parent
   checks every one and exits 0 only if all came back right. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(void)
{
	pid_t pids[200];
	for (int i = 0; i < 200; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("fork200: fork");
			return 3;
		}
		if (pids[i] == 0)
			_exit(i % 7);
	}
	int bad = 0;
	for (int i = 0; i < 200; i++) {
		int st;
		if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != i % 7)
			bad++;
	}
	printf("fork200: %d bad\n", bad);
	return bad ? 1 : 0;
}
