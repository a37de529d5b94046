/* manylibs NPROC NLIB DIR: a big run for the HTML report.  NPROC processes
   (this one and NPROC-1 forked children) each dlopen DIR/libmany0.so ..
   DIR/libmany<NLIB-1>.so (copies of one plugin: as many libraries), then
   dlclose them all, last first.  Exits 0, or 3 when a dlopen or dlclose
   failed. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int
cycle(int nlib, const char *dir)
{
	void **handles = calloc((size_t)nlib, sizeof(*handles));
	if (!handles)
		return 3;
	for (int i = 0; i < nlib; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/libmany%d.so", dir, i);
		handles[i] = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!handles[i]) {
			fprintf(stderr, "manylibs: %s\n", dlerror());
			return 3;
		}
	}
	for (int i = nlib; i-- > 0;) {
		if (dlclose(handles[i]) != 0) {
			fprintf(stderr, "manylibs: %s\n", dlerror());
			return 3;
		}
	}
	free(handles);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: manylibs NPROC NLIB DIR\n");
		return 2;
	}
	int nproc = atoi(argv[1]), nlib = atoi(argv[2]);
	for (int p = 1; p < nproc; p++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("manylibs: fork");
			return 3;
		}
		if (pid == 0)
			_exit(cycle(nlib, argv[3]));
		/* One child at a time: a long run, not a race. */
		int st;
		if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return 3;
	}
	return cycle(nlib, argv[3]);
}
