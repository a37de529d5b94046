#include "config.h"
#include "atomic_file.h"
#include "error.h"
#include "xmalloc.h"

#include <libgen.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary file lives next to the target, so that rename() is atomic. */
static char *
temp_name(const char *path)
{
	char *copy = xstrdup(path);
	char *dir = dirname(copy);
	char *base_copy = xstrdup(path);
	char *t = xasprintf("%s/.%s.XXXXXX", dir, basename(base_copy));
	free(copy);
	free(base_copy);
	return t;
}

bool
atomic_file_check(const char *path, const char *what)
{
	char *tmp = temp_name(path);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		perror_msg("cannot write the %s '%s' (creating a file in its directory)",
			   what, path);
		free(tmp);
		return false;
	}
	close(fd);
	unlink(tmp);
	free(tmp);
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		error_msg("cannot write the %s to '%s': it is a directory", what, path);
		return false;
	}
	return true;
}

bool
atomic_file_open(struct atomic_file *af, const char *path, const char *what)
{
	af->path = path;
	af->what = what;
	af->tmp = temp_name(path);
	int fd = mkstemp(af->tmp);
	/* mkstemp makes it 0600; a report is for others (CI) to read too. */
	if (fd >= 0) {
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	af->f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!af->f) {
		perror_msg("cannot write the %s '%s'", what, path);
		if (fd >= 0) {
			close(fd);
			unlink(af->tmp);
		}
		free(af->tmp);
		af->tmp = NULL;
		return false;
	}
	return true;
}

bool
atomic_file_commit(struct atomic_file *af)
{
	bool ok = fflush(af->f) == 0 && fsync(fileno(af->f)) == 0;
	ok = (fclose(af->f) == 0) && ok;
	af->f = NULL;
	if (!ok || rename(af->tmp, af->path) < 0) {
		perror_msg("cannot write the %s '%s'", af->what, af->path);
		unlink(af->tmp);
		free(af->tmp);
		af->tmp = NULL;
		return false;
	}
	free(af->tmp);
	af->tmp = NULL;
	return true;
}
