/*
 * tree3: a three-level process tree, each level using a plugin.
 *
 *   tree3 PLUGIN.so
 *
 * Level 0 (this process) loads and unloads libplugin_small.so, then
 * forks level 1, which re-executes this program through /proc/self/exe
 * ("tree3 --level 1 PLUGIN.so") so a tracer sees an exec in a child.
 * Level 1 loads and unloads the plugin and forks level 2 (no exec),
 * which does the same and exits 5.  Each parent waits for its child and
 * exits with the child's status + 1: the whole tree exits 7.  A child
 * killed by a signal makes its parent exit 100 + the signal number.
 */
#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#include "repro.h"

static REPRO_NOINLINE void use_plugin(int level, const char *path)
{
	void *handle = open_plugin(path, RTLD_NOW | RTLD_LOCAL);
	int (*value)(void) = (int (*)(void))plugin_symbol(handle, "plugin_value");

	say("tree3: level %d loaded %s, plugin_value() = %d", level, path,
	    value());
	dlclose(handle);
}

static REPRO_NOINLINE int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			perror("waitpid");
			exit(1);
		}
	}
	if (WIFSIGNALED(st))
		return 100 + WTERMSIG(st);
	return WEXITSTATUS(st) + 1;
}

static REPRO_NOINLINE int run_level(int level, const char *path)
{
	char arg[16];
	pid_t pid;

	use_plugin(level, path);
	if (level == 2)
		return 5;

	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		if (level == 0) {
			snprintf(arg, sizeof(arg), "%d", level + 1);
			execl("/proc/self/exe", "tree3", "--level", arg, path,
			      (char *)NULL);
			perror("exec /proc/self/exe");
			_exit(1);
		}
		_exit(run_level(level + 1, path));
	}
	return wait_child(pid);
}

int main(int argc, char **argv)
{
	int level = 0, st;

	if (argc == 4 && strcmp(argv[1], "--level") == 0) {
		level = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 2 || level < 0 || level > 2) {
		fprintf(stderr, "usage: tree3 PLUGIN.so\n");
		return REPRO_EXIT_USAGE;
	}
	st = run_level(level, argv[1]);
	say("tree3: level %d exits %d", level, st);
	return st;
}
