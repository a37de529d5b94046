#include "config.h"
#include "scan.h"
#include "clock.h"
#include "stats.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

/* Large reads amortize the syscall; 1 MiB stays in L2/L3. */
#define SCAN_CHUNK (1u << 20)
/* A report with more than this many pointers has made its point. */
#define SCAN_MAX_HITS 4096

static bool
scannable(const struct map_entry *m)
{
	if (m->perms[1] != 'w' || m->perms[0] != 'r')
		return false;
	/* Shared mappings belong to other processes too; the kernel's own
	   pages hold nothing of the program's. */
	if (m->perms[3] == 's')
		return false;
	if (m->path && (strcmp(m->path, "[vvar]") == 0 || strcmp(m->path, "[vsyscall]") == 0))
		return false;
	return true;
}

static void
add_hit(struct scan_result *r, size_t *cap, uint64_t where, uint64_t value)
{
	if (r->n == SCAN_MAX_HITS) {
		r->dropped++;
		return;
	}
	r->hits = xgrow(r->hits, cap, r->n + 1, sizeof(*r->hits));
	r->hits[r->n].where = where;
	r->hits[r->n].value = value;
	r->n++;
}

static void
scan_range(pid_t tid, uint64_t start, uint64_t end, uint64_t lo, uint64_t span,
	   uint64_t *buf, struct scan_result *r, size_t *cap)
{
	for (uint64_t a = start; a < end; a += SCAN_CHUNK) {
		size_t len = end - a < SCAN_CHUNK ? end - a : SCAN_CHUNK;
		struct iovec local = { buf, len };
		struct iovec remote = { (void *)a, len };
		ssize_t got = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (got <= 0)
			continue;	/* unreadable (guard pages, races): skip */
		r->bytes += got;
		size_t words = (size_t)got / 8, i = 0;
		/* One unsigned compare per word (value - lo < span), four words
		   to a branch: hits are rare. */
		for (; i + 4 <= words; i += 4) {
			if (((buf[i] - lo < span) | (buf[i + 1] - lo < span) |
			     (buf[i + 2] - lo < span) | (buf[i + 3] - lo < span)) == 0)
				continue;
			for (size_t k = i; k < i + 4; k++)
				if (buf[k] - lo < span)
					add_hit(r, cap, a + k * 8, buf[k]);
		}
		for (; i < words; i++)
			if (buf[i] - lo < span)
				add_hit(r, cap, a + i * 8, buf[i]);
	}
}

void
scan_process(pid_t tid, const struct maps_snapshot *maps, uint64_t lo, uint64_t hi,
	     uint64_t skip_lo, uint64_t skip_hi, uint64_t live_sp, struct scan_result *out)
{
	memset(out, 0, sizeof(*out));
	if (hi <= lo)
		return;
	double t0 = clock_now();
	uint64_t *buf = xmalloc(SCAN_CHUNK);
	size_t cap = 0;
	for (size_t i = 0; i < maps->n; i++) {
		const struct map_entry *m = &maps->v[i];
		if (!scannable(m))
			continue;
		uint64_t start = m->start, end = m->end;
		if (live_sp >= start && live_sp < end)
			start = live_sp & ~7ULL;
		/* The library's own mappings (still there when it is pinned). */
		if (start < skip_hi && end > skip_lo) {
			if (start >= skip_lo && end <= skip_hi)
				continue;
			if (start < skip_lo)
				scan_range(tid, start, skip_lo, lo, hi - lo, buf, out, &cap);
			if (end > skip_hi)
				scan_range(tid, skip_hi, end, lo, hi - lo, buf, out, &cap);
			continue;
		}
		scan_range(tid, start, end, lo, hi - lo, buf, out, &cap);
	}
	free(buf);
	out->seconds = clock_now() - t0;
	stats.scans++;
	stats.scan_bytes += out->bytes;
	stats.scan_seconds += out->seconds;
}

void
scan_result_free(struct scan_result *r)
{
	free(r->hits);
	memset(r, 0, sizeof(*r));
}
