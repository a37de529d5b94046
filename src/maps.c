/* /proc/PID/maps: parsing, snapshots, diffs, and the history of mappings
   that are gone.

   The kernel writes one line per VMA (fs/proc/task_mmu.c,
   show_vma_header_prefix):

	start-end perms offset major:minor inode ␣[padding]path\n

   always with a blank after the inode, then, for a named mapping, padding
   up to a column and the name.  The text is read from a process that may
   be exiting or changing its mappings under us, and tests feed it by hand,
   so nothing in it is trusted: every number is bounds- and overflow-checked,
   the buffer need not be NUL-terminated, and a line that does not parse is
   skipped and counted rather than reported as an error. */
#include "config.h"
#include "maps.h"
#include "error.h"
#include "xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A process at the default vm.max_map_count (65530) writes a few MiB of
   maps; this only stops a runaway read, it is never reached in practice. */
#define MAPS_TEXT_MAX		(512UL << 20)
#define MAPS_READ_CHUNK		(64UL << 10)

static const char deleted_suffix[] = " (deleted)";

/* ---- parsing ---- */

/* A bounded view of one line, without its '\n'. */
struct cursor {
	const char *p, *end;
};

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Overflow is judged on the value, not on the number of digits: the kernel
   zero-pads, so a long run of leading zeros is still a valid number, while
   a 17th significant digit is not. */
static bool
parse_hex(struct cursor *c, uint64_t *out)
{
	const char *first = c->p;
	uint64_t v = 0;
	int d;

	while (c->p < c->end && (d = hex_digit(*c->p)) >= 0) {
		if (v >> 60)
			return false;
		v = v << 4 | (uint64_t)d;
		c->p++;
	}
	if (c->p == first)
		return false;
	*out = v;
	return true;
}

static bool
parse_dec(struct cursor *c, uint64_t *out)
{
	const char *first = c->p;
	uint64_t v = 0;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned int d = (unsigned int)(*c->p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		c->p++;
	}
	if (c->p == first)
		return false;
	*out = v;
	return true;
}

static bool
parse_hex_uint(struct cursor *c, unsigned int *out)
{
	uint64_t v;

	if (!parse_hex(c, &v) || v > UINT_MAX)
		return false;
	*out = (unsigned int)v;
	return true;
}

static bool
expect_char(struct cursor *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

/* At least one blank; returns false if there was none. */
static bool
skip_blanks(struct cursor *c)
{
	const char *first = c->p;

	while (c->p < c->end && is_blank(*c->p))
		c->p++;
	return c->p != first;
}

/* Exactly four characters "[r-][w-][x-][ps]": anything else is not a
   maps line, and rejecting it here keeps garbage from looking plausible. */
static bool
parse_perms(struct cursor *c, char perms[5])
{
	static const char allowed[4][3] = { "r-", "w-", "x-", "ps" };

	if (c->end - c->p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		char ch = c->p[i];
		if (ch != allowed[i][0] && ch != allowed[i][1])
			return false;
		perms[i] = ch;
	}
	perms[4] = '\0';
	c->p += 4;
	return true;
}

/* The name is everything after the blanks that follow the inode, to the end
   of the line: paths may hold spaces, and a trailing blank may be part of a
   file name, so nothing is trimmed but the kernel's " (deleted)". */
static void
parse_path(struct cursor *c, struct map_entry *e)
{
	size_t len = (size_t)(c->end - c->p);
	size_t slen = sizeof(deleted_suffix) - 1;

	if (len == 0)
		return;
	if (len > slen && !memcmp(c->end - slen, deleted_suffix, slen)) {
		e->deleted = true;
		len -= slen;
	}
	e->path = xstrndup(c->p, len);
}

/* Parse one line [p, end).  An unterminated line (the last one, without
   '\n') is accepted only if it got at least as far as the blank the kernel
   writes after the inode: cut any earlier, and a number may have lost
   digits ("... 08:01 12" of inode 1234), which would be a wrong answer
   rather than a missing one.  A path cut short cannot be told from a whole
   one and is taken as it is. */
static bool
parse_line(const char *p, const char *end, bool terminated, struct map_entry *e)
{
	struct cursor c = { p, end };

	memset(e, 0, sizeof(*e));
	/* The kernel never writes NUL; a line holding one is not from it. */
	if (memchr(p, '\0', (size_t)(end - p)))
		return false;
	if (!parse_hex(&c, &e->start) || !expect_char(&c, '-') ||
	    !parse_hex(&c, &e->end) || !skip_blanks(&c) ||
	    !parse_perms(&c, e->perms) || !skip_blanks(&c) ||
	    !parse_hex(&c, &e->offset) || !skip_blanks(&c) ||
	    !parse_hex_uint(&c, &e->dev_major) || !expect_char(&c, ':') ||
	    !parse_hex_uint(&c, &e->dev_minor) || !skip_blanks(&c) ||
	    !parse_dec(&c, &e->inode))
		return false;
	if (e->start >= e->end)
		return false;
	if (c.p == c.end)	/* anonymous, and no blank after the inode */
		return terminated;
	if (!skip_blanks(&c))	/* "1234x": the inode runs into garbage */
		return false;
	parse_path(&c, e);
	return true;
}

struct sort_key {
	uint64_t start;
	size_t idx;
};

static int
sort_key_cmp(const void *a, const void *b)
{
	const struct sort_key *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* Input order breaks ties, so which duplicate survives is defined. */
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The kernel writes maps in address order, so this only runs for text that
   came from elsewhere.  Entries are sorted through an array of keys so the
   sort is stable without a hand-written merge sort. */
static void
sort_entries(struct maps_snapshot *s)
{
	struct sort_key *keys = xmalloc(s->n * sizeof(*keys));
	struct map_entry *v = xmalloc(s->n * sizeof(*v));

	for (size_t i = 0; i < s->n; i++) {
		keys[i].start = s->v[i].start;
		keys[i].idx = i;
	}
	qsort(keys, s->n, sizeof(*keys), sort_key_cmp);
	for (size_t i = 0; i < s->n; i++)
		v[i] = s->v[keys[i].idx];
	free(keys);
	free(s->v);
	s->v = v;
}

/* Keep the first of overlapping entries (lowest start, then input order);
   the others cannot all be true at once and are counted as skipped. */
static void
drop_overlaps(struct maps_snapshot *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (kept && s->v[i].start < s->v[kept - 1].end) {
			debug_msg("maps: dropped %#llx-%#llx, overlaps %#llx-%#llx",
				  (unsigned long long)s->v[i].start,
				  (unsigned long long)s->v[i].end,
				  (unsigned long long)s->v[kept - 1].start,
				  (unsigned long long)s->v[kept - 1].end);
			map_entry_free(&s->v[i]);
			s->skipped++;
			continue;
		}
		s->v[kept++] = s->v[i];
	}
	s->n = kept;
}

int
maps_parse(const char *text, size_t len, struct maps_snapshot *out)
{
	const char *p = text, *end = text + len;
	size_t cap = 0, lineno = 0;
	bool sorted = true;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		struct map_entry e;

		lineno++;
		if (parse_line(p, eol, nl != NULL, &e)) {
			if (out->n && e.start < out->v[out->n - 1].start)
				sorted = false;
			/* xgrow doubles: linear over tens of thousands of lines. */
			out->v = xgrow(out->v, &cap, out->n + 1, sizeof(*out->v));
			out->v[out->n++] = e;
		} else {
			debug_msg("maps: skipped malformed line %zu", lineno);
			out->skipped++;
		}
		p = nl ? nl + 1 : end;
	}
	if (!sorted)
		sort_entries(out);
	drop_overlaps(out);
	return 0;
}

/* ---- reading ---- */

/* A seq_file may return less than asked and reports st_size 0, so read
   until EOF into a doubling buffer; a short read is not the end. */
static char *
read_all(int fd, size_t *lenp)
{
	size_t cap = 0, len = 0;
	char *buf = NULL;
	int err;

	for (;;) {
		buf = xgrow(buf, &cap, len + MAPS_READ_CHUNK, 1);
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > MAPS_TEXT_MAX) {
			errno = EFBIG;
			goto fail;
		}
	}
	*lenp = len;
	return buf;

fail:
	err = errno;
	free(buf);
	errno = err;
	return NULL;
}

/* Through a thread, not the process: when the main thread has called
   pthread_exit and others go on, /proc/PID/maps reads empty (the leader has
   no mm any more) while /proc/PID/task/TID/maps of a live thread is whole.
   A live process always has mappings, so empty text is a failure, never
   "everything was unmapped". */
int
maps_read_thread(pid_t pid, pid_t tid, struct maps_snapshot *out)
{
	char name[sizeof("/proc//task//maps") + sizeof(int) * 6];
	size_t len;
	char *buf;
	int fd, err;

	memset(out, 0, sizeof(*out));
	snprintf(name, sizeof(name), "/proc/%d/task/%d/maps", (int)pid, (int)tid);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	buf = read_all(fd, &len);
	err = errno;
	close(fd);
	if (!buf) {
		errno = err;
		return -1;
	}
	maps_parse(buf, len, out);
	free(buf);
	if (out->n == 0) {
		errno = ESRCH;
		return -1;
	}
	return 0;
}

int
maps_read_pid(pid_t pid, struct maps_snapshot *out)
{
	return maps_read_thread(pid, pid, out);
}

/* ---- snapshots and entries ---- */

void
maps_snapshot_free(struct maps_snapshot *s)
{
	for (size_t i = 0; i < s->n; i++)
		map_entry_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

const struct map_entry *
maps_snapshot_find(const struct maps_snapshot *s, uint64_t addr)
{
	size_t first, last;
	if (addr == UINT64_MAX)
		return NULL;	/* no entry ends past it */
	maps_snapshot_overlap(s, addr, addr + 1, &first, &last);
	return first < last ? &s->v[first] : NULL;
}

void
maps_snapshot_overlap(const struct maps_snapshot *s, uint64_t start, uint64_t end,
		      size_t *first, size_t *last)
{
	/* Entries are sorted and disjoint, so their ends are sorted too:
	   the first that ends after start, then the first that starts at or
	   after end. */
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].start < end)
			lo = mid + 1;
		else
			hi = mid;
	}
	*last = lo;
}

void
maps_snapshot_splice(struct maps_snapshot *s, size_t first, size_t last,
		     const struct map_entry *add, size_t k)
{
	size_t gone = last - first, n = s->n - gone + k;
	if (k > gone)
		s->v = xrealloc(s->v, (n ? n : 1) * sizeof(*s->v));
	memmove(&s->v[first + k], &s->v[last], (s->n - last) * sizeof(*s->v));
	if (k)
		memcpy(&s->v[first], add, k * sizeof(*add));
	s->n = n;
}

bool
map_entry_private_writable(const struct map_entry *e)
{
	return e->perms[1] == 'w' && e->perms[3] == 'p';
}

void
maps_snapshot_merge_writable(struct maps_snapshot *s, const struct maps_snapshot *w)
{
	/* Each entry of s is cut by the w entries it overlaps (j walks w
	   along with it); both lists are sorted and disjoint, so this is
	   linear. */
	struct map_entry *v = xcalloc(2 * s->n + w->n + 1, sizeof(*v));
	size_t n = 0, j = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct map_entry *m = &s->v[i];
		if (map_entry_private_writable(m)) {
			map_entry_free(m);
			continue;
		}
		uint64_t from = m->start;
		while (j < w->n && w->v[j].end <= from)
			j++;
		for (size_t t = j; t < w->n && w->v[t].start < m->end; t++) {
			if (w->v[t].start > from) {
				map_entry_copy(&v[n], m);
				v[n].start = from;
				v[n].end = w->v[t].start;
				if (m->path && m->inode)
					v[n].offset = m->offset + (from - m->start);
				n++;
			}
			if (w->v[t].end > from)
				from = w->v[t].end;
		}
		if (from < m->end) {
			map_entry_copy(&v[n], m);
			v[n].start = from;
			if (m->path && m->inode)
				v[n].offset = m->offset + (from - m->start);
			n++;
		}
		map_entry_free(m);
	}
	/* Then w's entries, each where its start puts it. */
	struct map_entry *out = xcalloc(n + w->n + 1, sizeof(*out));
	size_t a = 0, b = 0, o = 0;
	while (a < n || b < w->n) {
		if (b == w->n || (a < n && v[a].start < w->v[b].start))
			out[o++] = v[a++];
		else
			map_entry_copy(&out[o++], &w->v[b++]);
	}
	free(v);
	free(s->v);
	s->v = out;
	s->n = o;
}

void
map_entry_copy(struct map_entry *dst, const struct map_entry *src)
{
	*dst = *src;
	dst->path = src->path ? xstrdup(src->path) : NULL;
}

void
map_entry_free(struct map_entry *e)
{
	free(e->path);
	e->path = NULL;
}

/* ---- diffs ---- */

/* The deleted flag is left out on purpose: unlinking or replacing the file
   on disk does not touch the mapping, which still holds the old inode, so
   it is not a change of the address space.  The device is compared as well
   as the inode, since an inode number means nothing without it. */
static bool
map_entry_same(const struct map_entry *a, const struct map_entry *b)
{
	if (a->start != b->start || a->end != b->end ||
	    a->offset != b->offset || a->inode != b->inode ||
	    a->dev_major != b->dev_major || a->dev_minor != b->dev_minor ||
	    strcmp(a->perms, b->perms))
		return false;
	if (!a->path || !b->path)
		return a->path == b->path;
	return !strcmp(a->path, b->path);
}

static void
diff_push(struct map_entry **v, size_t *n, size_t *cap, const struct map_entry *e)
{
	*v = xgrow(*v, cap, *n + 1, sizeof(**v));
	map_entry_copy(&(*v)[(*n)++], e);
}

/* Both snapshots are sorted and non-overlapping, so one merge pass finds
   every difference: an entry whose start has no match on the other side is
   added or removed, and two entries with the same start either are the
   same or are replaced (an mprotect, a remap over the same address). */
void
maps_diff_compute(const struct maps_snapshot *old_snap,
		  const struct maps_snapshot *new_snap, struct maps_diff *out)
{
	const struct map_entry *a = old_snap->v, *b = new_snap->v;
	size_t i = 0, j = 0, cap_added = 0, cap_removed = 0;

	memset(out, 0, sizeof(*out));
	while (i < old_snap->n || j < new_snap->n) {
		if (j == new_snap->n ||
		    (i < old_snap->n && a[i].start < b[j].start)) {
			diff_push(&out->removed, &out->n_removed, &cap_removed, &a[i++]);
		} else if (i == old_snap->n || b[j].start < a[i].start) {
			diff_push(&out->added, &out->n_added, &cap_added, &b[j++]);
		} else {
			if (!map_entry_same(&a[i], &b[j])) {
				diff_push(&out->removed, &out->n_removed,
					  &cap_removed, &a[i]);
				diff_push(&out->added, &out->n_added,
					  &cap_added, &b[j]);
			}
			i++;
			j++;
		}
	}
}

void
maps_diff_free(struct maps_diff *d)
{
	for (size_t i = 0; i < d->n_added; i++)
		map_entry_free(&d->added[i]);
	for (size_t i = 0; i < d->n_removed; i++)
		map_entry_free(&d->removed[i]);
	free(d->added);
	free(d->removed);
	memset(d, 0, sizeof(*d));
}

/* ---- history of mappings that are gone ---- */

void
maps_history_init(struct maps_history *h)
{
	memset(h, 0, sizeof(*h));
}

void
maps_history_free(struct maps_history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		map_entry_free(&h->v[i].map);
		free(h->v[i].pcs);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

void
maps_history_add(struct maps_history *h, const struct map_entry *m,
		 double gone_at, unsigned int event_id)
{
	h->v = xgrow(h->v, &h->cap, h->n + 1, sizeof(*h->v));
	struct gone_mapping *g = &h->v[h->n++];
	map_entry_copy(&g->map, m);
	g->gone_at = gone_at;
	g->seen_at = gone_at;
	g->event_id = event_id;
	g->unmap_call = NULL;
	g->pcs = NULL;
	g->npcs = 0;
	g->contents_unknown = false;
}

/* Gone mappings overlap each other freely (the same plugin loaded at the
   same address again and again), so there is no order to search by start.
   Scanning backwards gives the most recent match first.  The history can
   reach tens of thousands of entries (2000 dlopen/dlclose cycles of one
   plugin, several mappings each), but lookups happen only at a fault or when
   symbolizing a report, so a linear scan costs microseconds where it is used
   and an interval index would cost on every add. */
const struct gone_mapping *
maps_history_lookup(const struct maps_history *h, uint64_t addr)
{
	for (size_t i = h->n; i-- > 0; ) {
		const struct map_entry *m = &h->v[i].map;
		if (addr >= m->start && addr < m->end)
			return &h->v[i];
	}
	return NULL;
}

/* ---- classification ---- */

static bool
has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* shmget() segments are named "SYSV%08x" after their key. */
static bool
is_sysv_shm(const char *p)
{
	if (!has_prefix(p, "/SYSV") || strlen(p) != 13)
		return false;
	for (p += 5; *p; p++)
		if (hex_digit(*p) < 0)
			return false;
	return true;
}

/* A name is only a hint: the symbolizer still checks that what it opens is
   a regular file.  This filters out what is certainly not one:
   - "[heap]", "[vdso]", "[anon:x]", "anon_inode:..." do not start with '/';
   - "/dev/..." are device nodes ("/dev/zero (deleted)" is shared anonymous
     memory), except "/dev/shm/", the tmpfs of POSIX shared memory, which
     holds regular files;
   - "/SYSV%08x (deleted)" is a System V shm segment and "/[aio] (deleted)"
     an AIO ring, both internal kernel objects.
   "/memfd:NAME (deleted)" is file-backed: a memfd is a regular tmpfs file
   that code can be loaded from (dlopen of /proc/self/fd/N), and its
   contents stay readable through /proc/PID/map_files like any deleted
   file's. */
bool
map_entry_is_file(const struct map_entry *e)
{
	const char *p = e->path;

	if (!p || p[0] != '/')
		return false;
	if (has_prefix(p, "/dev/"))
		return has_prefix(p, "/dev/shm/");
	if (is_sysv_shm(p) || !strcmp(p, "/[aio]"))
		return false;
	return true;
}
