/*
 * host_deleted: call into unloaded code whose file changed on disk.
 *
 *   host_deleted deleted PLUGIN.so
 *   host_deleted overwritten PLUGIN.so [OTHER.so]
 *
 * Like "host_c fnptr", but the plugin is first copied to a temporary file
 * (in $TMPDIR, default /tmp), and the copy is loaded.  After dlclose the
 * copy is unlinked ("deleted") or rewritten in place with other content
 * ("overwritten": the bytes of OTHER.so if given, else text), then the
 * kept function pointer is called.  A tool that reads the library from
 * its path at fault time finds nothing, or the wrong file: it must keep
 * what it needs while the library is loaded.  The overwritten copy keeps
 * its inode and path; it is left behind by the crash, hence $TMPDIR.
 *
 * Expected, native, both compilers, with libplugin_ops.so: SIGSEGV in the
 * jump to unmapped code (pc == fault address), caller call_kept_fnptr.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "repro.h"
#include "plugin_ops.h"

/* Copies src into fd, or writes text if src is NULL. */
static void fill_file(int fd, const char *src)
{
	static const char text[] = "not the plugin that was loaded\n";
	char buf[65536];
	ssize_t n;
	int in;

	if (!src) {
		if (write(fd, text, sizeof(text) - 1) != (ssize_t)sizeof(text) - 1)
			goto fail;
		return;
	}
	in = open(src, O_RDONLY);
	if (in < 0) {
		fprintf(stderr, "open %s: %s\n", src, strerror(errno));
		exit(REPRO_EXIT_LOAD);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			goto fail;
	if (n < 0)
		goto fail;
	close(in);
	return;
fail:
	fprintf(stderr, "copying %s: %s\n", src ? src : "text", strerror(errno));
	exit(REPRO_EXIT_LOAD);
}

static REPRO_NOINLINE void copy_plugin(const char *src, char *copy, size_t size)
{
	const char *tmpdir = getenv("TMPDIR");
	int fd;

	snprintf(copy, size, "%s/teardown-audit-plugin-XXXXXX.so",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	fd = mkstemps(copy, 3);
	if (fd < 0) {
		fprintf(stderr, "mkstemps %s: %s\n", copy, strerror(errno));
		exit(REPRO_EXIT_LOAD);
	}
	fill_file(fd, src);
	close(fd);
}

static REPRO_NOINLINE void replace_plugin_file(const char *copy, int deleted,
						const char *other)
{
	int fd;

	if (deleted) {
		if (unlink(copy) != 0) {
			fprintf(stderr, "unlink %s: %s\n", copy, strerror(errno));
			exit(REPRO_EXIT_LOAD);
		}
		say("host: deleted the plugin file");
		return;
	}
	/* Same inode, new bytes: what an in-place rebuild does. */
	fd = open(copy, O_WRONLY | O_TRUNC);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", copy, strerror(errno));
		exit(REPRO_EXIT_LOAD);
	}
	fill_file(fd, other);
	close(fd);
	say("host: overwrote the plugin file");
}

/* The pointer is intact, the code it points to is gone. */
static REPRO_NOINLINE int call_kept_fnptr(int (*run)(void))
{
	say("host: calling kept function pointer");
	return run();
}

int main(int argc, char **argv)
{
	const struct plugin_ops *ops;
	char copy[4096];
	int (*run)(void);
	void *handle;
	int deleted;

	if (argc < 3 || argc > 4 ||
	    (strcmp(argv[1], "deleted") && strcmp(argv[1], "overwritten")) ||
	    (argc == 4 && strcmp(argv[1], "overwritten"))) {
		fprintf(stderr,
			"usage: host_deleted deleted PLUGIN.so\n"
			"       host_deleted overwritten PLUGIN.so [OTHER.so]\n");
		return REPRO_EXIT_USAGE;
	}
	deleted = strcmp(argv[1], "deleted") == 0;

	copy_plugin(argv[2], copy, sizeof(copy));
	handle = open_plugin(copy, RTLD_NOW | RTLD_LOCAL);
	ops = ((plugin_get_ops_fn *)plugin_symbol(handle, "plugin_get_ops"))();
	run = ops->run;
	say("host: loaded a copy of %s, run() = %d", argv[2], run());
	unload_plugin(handle);
	replace_plugin_file(copy, deleted, argc == 4 ? argv[3] : NULL);
	call_kept_fnptr(run);
	say("host: done");
	return 0;
}
