/* thread_exec PROGRAM [ARGS]: a thread other than the main one calls
   execv: the kernel makes it the leader, and every other thread goes. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static char **args;

static void *
do_exec(void *arg)
{
	(void)arg;
	execv(args[0], args);
	perror("thread_exec: execv");
	return NULL;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: thread_exec PROGRAM [ARGS...]\n");
		return 2;
	}
	args = argv + 1;
	pthread_t t;
	pthread_create(&t, NULL, do_exec, NULL);
	pthread_join(t, NULL);
	return 1;
}
