#include "config.h"
#include "gdb_handoff.h"
#include "elfsym.h"
#include "error.h"
#include "finding.h"
#include "objcache.h"
#include "report.h"
#include "tracee.h"
#include "xmalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static FILE *
create_script(pid_t pid, char **path)
{
	const char *tmp = getenv("TMPDIR");
	const char *dirs[] = { ".", tmp && *tmp ? tmp : "/tmp", "/tmp" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		*path = xasprintf("%s/teardown-audit-%d.gdb", dirs[i], pid);
		FILE *f = fopen(*path, "we");
		if (f)
			return f;
		free(*path);
	}
	*path = NULL;
	perror_msg("cannot write the gdb commands for pid %d", pid);
	return NULL;
}

/* A file gdb can read as it was mapped: its path if that is still the same
   file, else our own descriptor for it, which keeps a deleted file. */
static char *
readable_path(const struct map_entry *m, struct elf_file *elf)
{
	struct stat st;
	if (stat(m->path, &st) == 0 && st.st_ino == m->inode &&
	    major(st.st_dev) == m->dev_major && minor(st.st_dev) == m->dev_minor)
		return xstrdup(m->path);
	if (elf && elfsym_fd(elf) >= 0)
		return xasprintf("/proc/%d/fd/%d", getpid(), elfsym_fd(elf));
	return NULL;
}

char *
gdb_write_script(struct process *p, const struct finding *fd)
{
	char *path;
	FILE *f = create_script(p->pid, &path);
	if (!f)
		return NULL;
	fprintf(f, "# %s: gdb commands for pid %d (%s)", PACKAGE, p->pid, process_name(p));
	if (fd)
		fprintf(f, ", which received SIG%s at %#llx, pc %#llx, in thread %d",
			report_signal_name(fd->sig), (unsigned long long)fd->addr,
			(unsigned long long)fd->pc, fd->tid);
	fprintf(f, ".\n# Source it in gdb attached to the process, or on its core file.\n");
	fprintf(f, "set confirm off\n");
	if (fd) {
		fprintf(f, "set $ta_fault_addr = %#llx\n", (unsigned long long)fd->addr);
		fprintf(f, "set $ta_fault_pc = %#llx\n", (unsigned long long)fd->pc);
	}
	/* Every library unloaded from this image, at the address it had. */
	const struct timeline *tl = &p->timeline;
	for (size_t i = 0; i < tl->n; i++) {
		const struct tl_event *e = &tl->v[i];
		if (e->kind != TL_UNLOAD)
			continue;
		const struct gone_mapping *g = NULL;
		for (size_t k = 0; k < p->history.n && !g; k++)
			if (p->history.v[k].event_id == e->id && p->history.v[k].map.path &&
			    p->history.v[k].map.offset == 0)
				g = &p->history.v[k];
		if (!g)
			continue;
		struct elf_file *elf = objcache_lookup(&g->map);
		char *file = readable_path(&g->map, elf);
		const char *bid = elf ? elfsym_build_id(elf) : NULL;
		fprintf(f, "# %s, unloaded at %.3f ms%s%s\n", e->path, e->t * 1e3,
			bid ? ", build-id " : "", bid ? bid : "");
		if (file)
			fprintf(f, "add-symbol-file %s -o %#llx\n", file, (unsigned long long)e->base);
		else
			fprintf(f, "# (the file is gone from disk and could not be kept)\n");
		free(file);
	}
	fprintf(f,
		"define ta-show\n"
		"  info symbol $ta_fault_addr\n"
		"  info symbol $ta_fault_pc\n"
		"  bt\n"
		"end\n"
		"document ta-show\n"
		"Show what the fault address and pc were in the unloaded libraries, and the stack.\n"
		"end\n"
		"set confirm on\n"
		"echo %s: the unloaded libraries' symbols are loaded at their old addresses; "
		"'continue' repeats the fault, 'ta-show' shows where it is.\\n\n", PACKAGE);
	if (fclose(f) != 0) {
		perror_msg("writing %s", path);
		free(path);
		return NULL;
	}
	return path;
}

pid_t
gdb_start(pid_t pid, const char *script)
{
	const char *gdb = getenv("TEARDOWN_AUDIT_GDB");
	const char *args = getenv("TEARDOWN_AUDIT_GDB_ARGS");
	char *cmd = xasprintf("exec %s -p %d -x '%s' %s", gdb && *gdb ? gdb : "gdb -q", pid, script,
			      args ? args : "");
	fprintf(report_options.out, "%s: pid %d is stopped and detached; starting: %s\n"
		"%s: the gdb commands are in %s\n", PACKAGE, pid, cmd + 5, PACKAGE, script);
	fflush(report_options.out);
	pid_t child = fork();
	if (child < 0) {
		perror_msg("fork to start gdb");
		free(cmd);
		return -1;
	}
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	return child;
}
