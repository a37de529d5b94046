#include "config.h"
#include "lifetime.h"
#include "xmalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* An open-addressing table from a 64-bit key to the latest lifetime
   inserted with it.  Entries are never removed: a lookup checks that the
   lifetime found is still open and really has the key. */
struct index {
	uint64_t *keys;
	long *vals;		/* -1: empty */
	size_t mask;
};

static void
index_init(struct index *x, size_t n)
{
	size_t size = 16;
	while (size < 2 * n + 1)
		size *= 2;
	x->keys = xcalloc(size, sizeof(*x->keys));
	x->vals = xmalloc(size * sizeof(*x->vals));
	for (size_t i = 0; i < size; i++)
		x->vals[i] = -1;
	x->mask = size - 1;
}

static size_t
index_slot(const struct index *x, uint64_t key)
{
	size_t i = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 20) & x->mask;
	while (x->vals[i] >= 0 && x->keys[i] != key)
		i = (i + 1) & x->mask;
	return i;
}

static void
index_put(struct index *x, uint64_t key, long val)
{
	size_t i = index_slot(x, key);
	x->keys[i] = key;
	x->vals[i] = val;
}

static long
index_get(const struct index *x, uint64_t key)
{
	return x->vals[index_slot(x, key)];
}

static void
index_free(struct index *x)
{
	free(x->keys);
	free(x->vals);
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

struct builder {
	struct lifetime_list *l;
	struct index by_start, by_path, by_base;
};

static bool
is_open(const struct builder *b, long lt)
{
	return lt >= 0 && !b->l->v[lt].unload;
}

/* The open lifetime of a library named path: the same path, else the same
   file name (a dlopen argument may be a soname, the maps a full path). */
static long
find_by_name(const struct builder *b, const char *path)
{
	if (!path)
		return -1;
	long lt = index_get(&b->by_path, hash_str(path));
	if (is_open(b, lt) && b->l->v[lt].load->path &&
	    strcmp(b->l->v[lt].load->path, path) == 0)
		return lt;
	const char *base = base_name(path);
	lt = index_get(&b->by_base, hash_str(base));
	if (is_open(b, lt) && b->l->v[lt].load->path &&
	    strcmp(base_name(b->l->v[lt].load->path), base) == 0)
		return lt;
	return -1;
}

static long
find_by_start(const struct builder *b, uint64_t start)
{
	long lt = index_get(&b->by_start, start);
	return is_open(b, lt) && b->l->v[lt].load->start == start ? lt : -1;
}

void
lifetime_list_build(const struct timeline *tl, struct lifetime_list *out)
{
	struct builder b = { .l = out };
	memset(out, 0, sizeof(*out));
	out->of_event = xmalloc((tl->n ? tl->n : 1) * sizeof(*out->of_event));
	size_t nloads = 0;
	for (size_t i = 0; i < tl->n; i++)
		nloads += tl->v[i].kind == TL_LOAD;
	out->v = xcalloc(nloads ? nloads : 1, sizeof(*out->v));
	index_init(&b.by_start, nloads);
	index_init(&b.by_path, nloads);
	index_init(&b.by_base, nloads);
	/* A dlopen whose library was not loaded yet: the next load that
	   carries dlopen flags is what it opened. */
	long pending_dlopen = -1;

	for (size_t i = 0; i < tl->n; i++) {
		const struct tl_event *e = &tl->v[i];
		long lt = -1;
		switch (e->kind) {
		case TL_LOAD:
			lt = (long)out->n++;
			out->v[lt].load = e;
			index_put(&b.by_start, e->start, lt);
			if (e->path) {
				index_put(&b.by_path, hash_str(e->path), lt);
				index_put(&b.by_base, hash_str(base_name(e->path)), lt);
			}
			if (pending_dlopen >= 0 && e->flags > 0) {
				out->of_event[pending_dlopen] = lt;
				pending_dlopen = -1;
			}
			break;
		case TL_UNLOAD:
			lt = find_by_start(&b, e->start);
			if (lt < 0)
				lt = find_by_name(&b, e->path);
			if (lt >= 0)
				out->v[lt].unload = e;
			break;
		case TL_DLCLOSE_KEPT:
			lt = find_by_start(&b, e->start);
			if (lt < 0)
				lt = find_by_name(&b, e->path);
			break;
		case TL_DLCLOSE:
			lt = find_by_name(&b, e->path);
			break;
		case TL_DLOPEN:
			lt = find_by_name(&b, e->path);
			if (lt < 0 && e->path)
				pending_dlopen = (long)i;
			break;
		case TL_EXEC:
		case TL_MAP_GONE:
		case TL_FAULT:
		case TL_EXIT:
		case TL_ATTACH:
		case TL_DETACH:
			break;
		}
		out->of_event[i] = lt;
	}
	index_free(&b.by_start);
	index_free(&b.by_path);
	index_free(&b.by_base);
}

void
lifetime_list_free(struct lifetime_list *l)
{
	free(l->v);
	free(l->of_event);
	memset(l, 0, sizeof(*l));
}
