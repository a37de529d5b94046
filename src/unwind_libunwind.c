/* The libunwind-ptrace backend. */
#include "config.h"
#include "unwind.h"
#include "error.h"
#include "stats.h"

#include <libunwind-ptrace.h>

static unw_addr_space_t addr_space;

static size_t
libunwind_walk(pid_t pid, pid_t tid, uint64_t *pcs, size_t max)
{
	(void)pid;
	if (!addr_space) {
		addr_space = unw_create_addr_space(&_UPT_accessors, 0);
		if (!addr_space) {
			error_msg("libunwind: cannot create an address space; stacks will be missing");
			return 0;
		}
		/* One address space serves every process: no caching across
		   them. */
		unw_set_caching_policy(addr_space, UNW_CACHE_NONE);
	}
	void *upt = _UPT_create(tid);
	if (!upt)
		return 0;
	unw_cursor_t cursor;
	size_t n = 0;
	int ret = unw_init_remote(&cursor, addr_space, upt);
	if (ret < 0) {
		debug_msg("thread %d: unw_init_remote: %s", tid, unw_strerror(ret));
		goto out;
	}
	while (n < max) {
		unw_word_t ip;
		if (unw_get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
			break;
		pcs[n++] = ip;
		/* -UNW_ENOINFO and friends end a walk normally. */
		if (unw_step(&cursor) <= 0)
			break;
	}
out:
	_UPT_destroy(upt);
	return n;
}

static void
libunwind_flush(pid_t pid)
{
	(void)pid;
	if (addr_space)
		unw_flush_cache(addr_space, 0, 0);
}

const struct unwind_backend unwind_libunwind = {
	.name = "libunwind-ptrace",
	.walk = libunwind_walk,
	.flush = libunwind_flush,
};

static const struct unwind_backend *backend = &unwind_libunwind;

size_t
unwind_thread_walk(pid_t pid, pid_t tid, uint64_t *pcs, size_t max)
{
	if (max > UNWIND_MAX_FRAMES)
		max = UNWIND_MAX_FRAMES;
	stats.unwinds++;
	return backend->walk(pid, tid, pcs, max);
}

void
unwind_flush(pid_t pid)
{
	backend->flush(pid);
}
