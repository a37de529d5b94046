/* waitstatus -o FILE CMD [ARGS...]: run CMD and write its raw wait status
   in hex to FILE, so that a test can compare "killed by SIGSEGV" with
   "exited 139" while CMD's own output goes where it goes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	if (argc < 4 || strcmp(argv[1], "-o") != 0) {
		fprintf(stderr, "usage: waitstatus -o FILE CMD [ARGS...]\n");
		return 2;
	}
	const char *result = argv[2];
	argv += 2;
	/* No core files from the reproducers: the wait status must not
	   depend on the machine's core settings. */
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	pid_t pid = fork();
	if (pid < 0) {
		perror("waitstatus: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		perror("waitstatus: exec");
		_exit(127);
	}
	int status;
	if (waitpid(pid, &status, 0) < 0) {
		perror("waitstatus: waitpid");
		return 2;
	}
	FILE *f = fopen(result, "w");
	if (!f || fprintf(f, "%#x\n", status) < 0 || fclose(f) != 0) {
		perror("waitstatus: writing the result");
		return 2;
	}
	return 0;
}
