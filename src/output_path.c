#include "config.h"
#include "output_path.h"
#include "error.h"
#include "xmalloc.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *
output_path_expand(const char *pattern, pid_t pid)
{
	char num[24];
	size_t nlen = (size_t)snprintf(num, sizeof(num), "%d", (int)pid);
	size_t cap = strlen(pattern) + 1, n = 0;
	for (const char *s = pattern; *s; s++)
		if (s[0] == '%' && s[1] == 'p')
			cap += nlen;
	char *out = xmalloc(cap);
	for (const char *s = pattern; *s; s++) {
		if (s[0] == '%' && s[1] == 'p') {
			memcpy(out + n, num, nlen);
			n += nlen;
			s++;
		} else if (s[0] == '%' && s[1] == '%') {
			out[n++] = '%';
			s++;
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	return out;
}

bool
output_path_has_pid(const char *pattern)
{
	for (const char *s = pattern; *s; s++) {
		if (s[0] == '%' && s[1] == 'p')
			return true;
		if (s[0] == '%' && s[1] == '%')
			s++;
	}
	return false;
}

bool
output_path_check(const char *pattern, const char *what)
{
	/* Our own pid stands for the command's: only the directory counts. */
	char *path = output_path_expand(pattern, getpid());
	char *copy = xstrdup(path);
	char *base_copy = xstrdup(path);
	char *tmp = xasprintf("%s/.%s.XXXXXX", dirname(copy), basename(base_copy));
	bool ok = true;
	int fd = mkstemp(tmp);
	struct stat st;
	if (fd < 0) {
		perror_msg("cannot write %s '%s' (creating a file in its directory)", what,
			   pattern);
		ok = false;
	} else {
		close(fd);
		unlink(tmp);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			error_msg("cannot write %s to '%s': it is a directory", what, pattern);
			ok = false;
		}
	}
	free(tmp);
	free(copy);
	free(base_copy);
	free(path);
	return ok;
}
