#include "config.h"
#include "procmap.h"
#include "error.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* From Linux 6.11's <linux/fs.h>, which Debian 12's headers predate. */
struct ta_procmap_query {
	uint64_t size;
	uint64_t query_flags;
	uint64_t query_addr;
	uint64_t vma_start;
	uint64_t vma_end;
	uint64_t vma_flags;
	uint64_t vma_page_size;
	uint64_t vma_offset;
	uint64_t inode;
	uint32_t dev_major;
	uint32_t dev_minor;
	uint32_t vma_name_size;
	uint32_t build_id_size;
	uint64_t vma_name_addr;
	uint64_t build_id_addr;
};
#define TA_PROCMAP_QUERY _IOWR('f', 17, struct ta_procmap_query)
enum {
	TA_VMA_READABLE = 0x01,
	TA_VMA_WRITABLE = 0x02,
	TA_VMA_EXECUTABLE = 0x04,
	TA_VMA_SHARED = 0x08,
	TA_COVERING_OR_NEXT_VMA = 0x10,
};

static bool used_query;
static bool query_unsupported;

bool
procmap_query_used(void)
{
	return used_query;
}

/* One query: the mapping covering addr (or the next one, with
   TA_COVERING_OR_NEXT_VMA), as a map entry.  0, or -1 with errno
   (ENOENT: none). */
static int
query(int fd, uint64_t addr, uint64_t flags, struct map_entry *e)
{
	/* Zeroed: tools like valgrind cannot know that the ioctl writes it. */
	char name[PATH_MAX] = "";
	struct ta_procmap_query q = {
		.size = sizeof(q), .query_flags = flags, .query_addr = addr,
		.vma_name_size = sizeof(name), .vma_name_addr = (uintptr_t)name,
	};
	if (ioctl(fd, TA_PROCMAP_QUERY, &q) < 0)
		return -1;
	memset(e, 0, sizeof(*e));
	e->start = q.vma_start;
	e->end = q.vma_end;
	e->offset = q.vma_offset;
	e->inode = q.inode;
	e->dev_major = q.dev_major;
	e->dev_minor = q.dev_minor;
	e->perms[0] = q.vma_flags & TA_VMA_READABLE ? 'r' : '-';
	e->perms[1] = q.vma_flags & TA_VMA_WRITABLE ? 'w' : '-';
	e->perms[2] = q.vma_flags & TA_VMA_EXECUTABLE ? 'x' : '-';
	e->perms[3] = q.vma_flags & TA_VMA_SHARED ? 's' : 'p';
	if (q.vma_name_size > 1) {
		name[sizeof(name) - 1] = '\0';
		static const char suffix[] = " (deleted)";
		size_t len = strlen(name), slen = sizeof(suffix) - 1;
		if (len > slen && strcmp(name + len - slen, suffix) == 0) {
			name[len - slen] = '\0';
			e->deleted = true;
		}
		e->path = xstrdup(name);
	}
	return 0;
}

static void
add(struct maps_snapshot *s, size_t *cap, struct map_entry *e)
{
	s->v = xgrow(s->v, cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = *e;
}

static int
read_with_query(int fd, struct maps_snapshot *out)
{
	size_t cap = 0;
	uint64_t addr = 0;
	struct map_entry e, below;
	for (;;) {
		if (query(fd, addr, TA_VMA_WRITABLE | TA_COVERING_OR_NEXT_VMA, &e) < 0)
			return errno == ENOENT ? 0 : -1;
		/* The guard page under a thread stack tells it from an arena. */
		if (!e.path && e.start &&
		    (!out->n || out->v[out->n - 1].end < e.start) &&
		    query(fd, e.start - 1, 0, &below) == 0) {
			if (below.end == e.start && !below.path && below.perms[0] == '-' &&
			    below.perms[1] == '-' && below.perms[2] == '-')
				add(out, &cap, &below);
			else
				map_entry_free(&below);
		}
		add(out, &cap, &e);
		if (e.end <= addr)
			return 0;	/* no progress: never loop */
		addr = e.end;
	}
}

/* TEARDOWN_AUDIT_NO_PROCMAP_QUERY=1 takes the path of kernels before 6.11
   (Debian 12's own), so that the tests run both here. */
static bool
query_refused(void)
{
	if (!query_unsupported && getenv("TEARDOWN_AUDIT_NO_PROCMAP_QUERY")) {
		debug_msg("TEARDOWN_AUDIT_NO_PROCMAP_QUERY is set: no PROCMAP_QUERY");
		query_unsupported = true;
	}
	return query_unsupported;
}

bool
procmap_query_available(void)
{
	static int known;
	if (!known) {
		struct map_entry e;
		int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
		known = fd >= 0 && !query_refused() &&
			query(fd, 0, TA_COVERING_OR_NEXT_VMA, &e) == 0 ? 1 : -1;
		if (known > 0)
			map_entry_free(&e);
		if (fd >= 0)
			close(fd);
		if (known < 0)
			query_unsupported = true;
	}
	return known > 0;
}

int
procmap_read_range(pid_t pid, pid_t tid, uint64_t start, uint64_t end,
		   struct maps_snapshot *out)
{
	memset(out, 0, sizeof(*out));
	if (query_refused()) {
		errno = ENOTTY;
		return -1;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task/%d/maps", (int)pid, (int)tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t cap = 0;
	int r = 0;
	struct map_entry e;
	for (uint64_t addr = start; addr < end; addr = e.end) {
		if (query(fd, addr, TA_COVERING_OR_NEXT_VMA, &e) < 0) {
			if (errno != ENOENT) {
				if (errno == ENOTTY || errno == EINVAL)
					query_unsupported = true;
				r = -1;
			}
			break;
		}
		if (e.start >= end || e.end <= addr) {
			map_entry_free(&e);
			break;
		}
		add(out, &cap, &e);
	}
	int err = errno;
	close(fd);
	if (r < 0) {
		maps_snapshot_free(out);
		memset(out, 0, sizeof(*out));
		errno = err;
	}
	return r;
}

int
procmap_read_writable(pid_t pid, pid_t tid, struct maps_snapshot *out)
{
	memset(out, 0, sizeof(*out));
	if (!query_refused()) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task/%d/maps", (int)pid, (int)tid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			int r = read_with_query(fd, out);
			int e = errno;
			close(fd);
			if (r == 0) {
				used_query = true;
				return 0;
			}
			maps_snapshot_free(out);
			memset(out, 0, sizeof(*out));
			if (e != ENOTTY && e != EINVAL && e != EOPNOTSUPP) {
				errno = e;
				return -1;
			}
			debug_msg("no PROCMAP_QUERY here (%s): writable mappings read from "
				  "the maps text", strerror(e));
			query_unsupported = true;
		}
	}
	used_query = false;
	return maps_read_thread(pid, tid, out);
}
