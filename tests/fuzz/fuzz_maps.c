/* Fuzz harness for the /proc/PID/maps parser (src/maps.c).

   The input is maps text.  It is parsed whole, and the snapshot must keep
   the promises of maps.h: sorted, non-overlapping, every line either an
   entry or counted as skipped, and printing the entries back in the
   kernel's format must parse to the same entries.  maps_snapshot_find is
   checked against a linear search.  The two halves of the input (cut at
   the middle byte, so usually inside a line) are parsed as the snapshots
   before and after, and their diff is checked entry by entry; the
   removed and all entries then go into a history, whose lookups are
   checked against a scan of it.

   maps.c is included, not linked from libaudit.a, so that it is built
   with this harness's instrumentation and its internals can be checked. */
#include "maps.c"
#include "fuzz.h"

#include <inttypes.h>

/* Bound the quadratic and per-entry checks on huge inputs. */
#define MAX_CHECKED	512

static size_t
count_lines(const uint8_t *data, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	if (size && data[size - 1] != '\n')
		n++;
	return n;
}

static bool
perms_ok(const char *p)
{
	return strlen(p) == 4 && (p[0] == 'r' || p[0] == '-') &&
	       (p[1] == 'w' || p[1] == '-') && (p[2] == 'x' || p[2] == '-') &&
	       (p[3] == 'p' || p[3] == 's');
}

static bool
entries_equal(const struct map_entry *a, const struct map_entry *b)
{
	return map_entry_same(a, b) && a->deleted == b->deleted;
}

/* The entry a linear search finds. */
static const struct map_entry *
slow_find(const struct maps_snapshot *s, uint64_t addr)
{
	for (size_t i = 0; i < s->n; i++)
		if (addr >= s->v[i].start && addr < s->v[i].end)
			return &s->v[i];
	return NULL;
}

static void
check_find(const struct maps_snapshot *s, uint64_t addr)
{
	FUZZ_CHECK(maps_snapshot_find(s, addr) == slow_find(s, addr));
}

/* Print the snapshot as the kernel would and parse it again. */
static void
check_roundtrip(const struct maps_snapshot *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	FUZZ_CHECK(out != NULL);
	for (size_t i = 0; i < s->n; i++) {
		const struct map_entry *e = &s->v[i];
		fprintf(out, "%08" PRIx64 "-%08" PRIx64 " %s %08" PRIx64 " %02x:%02x %" PRIu64,
			e->start, e->end, e->perms, e->offset,
			e->dev_major, e->dev_minor, e->inode);
		if (e->path)
			fprintf(out, "%*s%s%s", 10, "", e->path,
				e->deleted ? deleted_suffix : "");
		fputc('\n', out);
	}
	FUZZ_CHECK(fclose(out) == 0);

	struct maps_snapshot again;
	maps_parse(text, len, &again);
	FUZZ_CHECK(again.skipped == 0);
	FUZZ_CHECK(again.n == s->n);
	for (size_t i = 0; i < s->n; i++)
		FUZZ_CHECK(entries_equal(&again.v[i], &s->v[i]));
	maps_snapshot_free(&again);
	free(text);
}

static void
check_snapshot(const struct maps_snapshot *s, const uint8_t *data, size_t size)
{
	/* Every line is an entry, or skipped (malformed or overlapping). */
	FUZZ_CHECK(s->n + s->skipped == count_lines(data, size));
	FUZZ_CHECK(s->n == 0 || s->v != NULL);
	for (size_t i = 0; i < s->n; i++) {
		const struct map_entry *e = &s->v[i];
		FUZZ_CHECK(e->start < e->end);
		FUZZ_CHECK(i == 0 || e->start >= s->v[i - 1].end);
		FUZZ_CHECK(perms_ok(e->perms));
		if (e->path) {
			FUZZ_CHECK(*e->path != '\0');
			FUZZ_CHECK(!strchr(e->path, '\n'));
		} else {
			FUZZ_CHECK(!e->deleted);
			FUZZ_CHECK(!map_entry_is_file(e));
		}
		(void) map_entry_is_file(e);
	}

	size_t n = s->n < MAX_CHECKED ? s->n : MAX_CHECKED;
	for (size_t i = 0; i < n; i++) {
		const struct map_entry *e = &s->v[i];
		check_find(s, e->start);
		check_find(s, e->end - 1);
		check_find(s, e->end);
		check_find(s, e->start + (e->end - e->start) / 2);
		if (e->start)
			check_find(s, e->start - 1);
	}
	check_find(s, 0);
	check_find(s, UINT64_MAX);
	check_roundtrip(s);
}

/* diff->removed must be exactly the entries of old_snap with no equal
   entry in new_snap, in order (and the same for added, the other way). */
static void
check_one_side(const struct maps_snapshot *from, const struct maps_snapshot *to,
	       const struct map_entry *listed, size_t n_listed)
{
	size_t k = 0;

	for (size_t i = 0; i < from->n; i++) {
		const struct map_entry *e = &from->v[i];
		const struct map_entry *o = maps_snapshot_find(to, e->start);
		if (o && o->start == e->start && map_entry_same(o, e))
			continue;
		FUZZ_CHECK(k < n_listed);
		FUZZ_CHECK(entries_equal(&listed[k], e));
		/* A deep copy, not the snapshot's string. */
		FUZZ_CHECK(!e->path || listed[k].path != e->path);
		k++;
	}
	FUZZ_CHECK(k == n_listed);
}

static void
check_diff(const struct maps_snapshot *a, const struct maps_snapshot *b,
	   struct maps_diff *d)
{
	maps_diff_compute(a, b, d);
	check_one_side(a, b, d->removed, d->n_removed);
	check_one_side(b, a, d->added, d->n_added);

	struct maps_diff none;
	maps_diff_compute(a, a, &none);
	FUZZ_CHECK(none.n_added == 0 && none.n_removed == 0);
	maps_diff_free(&none);
}

static void
check_history_lookup(const struct maps_history *h, uint64_t addr)
{
	const struct gone_mapping *g = maps_history_lookup(h, addr);
	size_t from = 0;

	if (g) {
		FUZZ_CHECK(g >= h->v && g < h->v + h->n);
		FUZZ_CHECK(addr >= g->map.start && addr < g->map.end);
		from = (size_t) (g - h->v) + 1;
	}
	/* Nothing more recent covers it. */
	for (size_t i = from; i < h->n; i++)
		FUZZ_CHECK(!(addr >= h->v[i].map.start && addr < h->v[i].map.end));
}

static void
check_history(const struct maps_diff *d, const struct maps_snapshot *all)
{
	struct maps_history h;

	maps_history_init(&h);
	for (size_t i = 0; i < d->n_removed; i++)
		maps_history_add(&h, &d->removed[i], (double) i, (unsigned int) i);
	for (size_t i = 0; i < all->n && i < MAX_CHECKED; i++)
		maps_history_add(&h, &all->v[i], 1e9 + (double) i, 0);
	FUZZ_CHECK(h.n <= h.cap);

	size_t n = h.n < MAX_CHECKED ? h.n : MAX_CHECKED;
	for (size_t i = 0; i < n; i++) {
		const struct map_entry *m = &h.v[i].map;
		check_history_lookup(&h, m->start);
		check_history_lookup(&h, m->end - 1);
		check_history_lookup(&h, m->end);
	}
	check_history_lookup(&h, 0);
	maps_history_free(&h);
	FUZZ_CHECK(h.n == 0 && h.v == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *) data;
	struct maps_snapshot all, a, b;
	struct maps_diff d;
	size_t half = size / 2;

	maps_parse(text, size, &all);
	check_snapshot(&all, data, size);

	maps_parse(text, half, &a);
	maps_parse(text + half, size - half, &b);
	check_snapshot(&a, data, half);
	check_snapshot(&b, data + half, size - half);
	check_diff(&a, &b, &d);
	check_history(&d, &all);

	maps_diff_free(&d);
	maps_snapshot_free(&a);
	maps_snapshot_free(&b);
	maps_snapshot_free(&all);
	FUZZ_CHECK(all.n == 0 && all.v == NULL);
	return 0;
}
