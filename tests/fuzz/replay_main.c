/* A main() for the fuzz harnesses without libFuzzer: runs the harness once
   on each file named on the command line, and on each regular file of a
   directory named there (not recursively, in name order).  This replays
   the seeds and the regression inputs with any compiler, under whatever
   sanitizers or valgrind the build uses.  Exit status: 0 when every
   input ran (a failing input aborts), 99 when an input cannot be read. */
#include "config.h"
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static unsigned long replayed;

static void
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(99);
	}
	size_t cap = 4096, len = 0, r;
	uint8_t *buf = malloc(cap);
	if (!buf)
		exit(99);
	while ((r = fread(buf + len, 1, cap - len, fp)) > 0) {
		len += r;
		if (len == cap) {
			buf = realloc(buf, cap *= 2);
			if (!buf)
				exit(99);
		}
	}
	if (ferror(fp)) {
		fprintf(stderr, "replay: %s: cannot read it\n", path);
		exit(99);
	}
	fclose(fp);
	/* A copy of exactly the input's size, so that a read past its end is
	   seen by the sanitizers as it would be under libFuzzer. */
	uint8_t *data = malloc(len ? len : 1);
	if (!data)
		exit(99);
	memcpy(data, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	replayed++;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		exit(99);
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		if (!names || !(names[n++] = strdup(de->d_name)))
			exit(99);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		size_t sz = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(sz);
		struct stat st;
		if (!path)
			exit(99);
		snprintf(path, sz, "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			replay_file(path);
		free(path);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 99;
		}
		if (S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_file(argv[i]);
	}
	printf("%s: replayed %lu inputs\n", argv[0], replayed);
	return 0;
}
