#include "config.h"
#include "addrspace.h"
#include "clock.h"
#include "elfsym.h"
#include "error.h"
#include "mem.h"
#include "objcache.h"
#include "procmap.h"
#include "stats.h"
#include "tracee.h"
#include "xmalloc.h"

#include <elf.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

bool
addrspace_refresh(struct process *p, pid_t tid,
		  unsigned int (*event_for)(uint64_t, uint64_t, void *), void *arg)
{
	struct maps_snapshot now;
	stats.maps_reads++;
	if (maps_read_thread(p->pid, tid, &now) < 0) {
		/* Nothing is moved to the history on a failed read: a mapping
		   is gone only when a read shows it gone. */
		perror_msg("pid %d: reading the mappings through thread %d "
			   "(/proc/%d/task/%d/maps); keeping those seen before",
			   p->pid, tid, p->pid, tid);
		maps_snapshot_free(&now);
		return false;
	}
	struct maps_diff d;
	maps_diff_compute(&p->maps, &now, &d);
	double t = clock_now();
	for (size_t i = 0; i < d.n_removed; i++) {
		const struct map_entry *m = &d.removed[i];
		unsigned int ev = event_for ? event_for(m->start, m->end, arg) : 0;
		/* A mapping that changed protection or size (mprotect, a growing
		   heap) is not gone: its start is still mapped by the same file
		   (or, for anonymous memory, by anonymous memory). */
		const struct map_entry *still = maps_snapshot_find(&now, m->start);
		if (!ev && still && still->inode == m->inode &&
		    still->dev_major == m->dev_major && still->dev_minor == m->dev_minor)
			continue;
		bool seen_as_it_happened = ev != 0;
		if (!ev && map_entry_is_file(m)) {
			struct tl_event *e = timeline_add(&p->timeline, TL_MAP_GONE, tid, m->path);
			e->start = m->start;
			e->end = m->end;
			ev = e->id;
		}
		maps_history_add(&p->history, m, t, ev);
		/* Not seen as it happened: only that it went away since the
		   last read (a library unload is timed by its own event). */
		if (!seen_as_it_happened)
			p->history.v[p->history.n - 1].seen_at = p->maps_read_at;
	}
	/* What the dynamic linker maps at start-up is never unloaded; what
	   comes later may be, and its file may then change on disk. */
	for (size_t i = 0; i < d.n_added; i++)
		if (map_entry_is_file(&d.added[i])) {
			if (p->solib.started)
				objcache_get_copy(tid, &d.added[i]);
			else
				objcache_get(tid, &d.added[i]);
		}
	maps_diff_free(&d);
	maps_snapshot_free(&p->maps);
	p->maps = now;
	p->maps_read_at = t;
	return true;
}

void
addrspace_forget_range(struct process *p, uint64_t start, uint64_t end, unsigned int event_id)
{
	struct maps_snapshot *s = &p->maps;
	double t = clock_now();
	size_t first, last;
	maps_snapshot_overlap(s, start, end, &first, &last);
	/* Those wholly inside go to the history; the others stay. */
	size_t w = first;
	for (size_t i = first; i < last; i++) {
		struct map_entry *m = &s->v[i];
		if (m->start >= start && m->end <= end) {
			maps_history_add(&p->history, m, t, event_id);
			map_entry_free(m);
		} else {
			s->v[w++] = *m;
		}
	}
	maps_snapshot_splice(s, w, last, NULL, 0);
}

/* A copy of the part [from, to) of m. */
static void
entry_part(struct map_entry *dst, const struct map_entry *m, uint64_t from, uint64_t to)
{
	map_entry_copy(dst, m);
	dst->start = from;
	dst->end = to;
	if (m->path && m->inode)
		dst->offset = m->offset + (from - m->start);
}

static void
free_entries(struct maps_snapshot *s, size_t first, size_t last)
{
	for (size_t i = first; i < last; i++)
		map_entry_free(&s->v[i]);
}

/* Put e (deep-copied) into the snapshot, over whatever it covers. */
static void
snapshot_insert(struct maps_snapshot *s, const struct map_entry *e)
{
	size_t first, last, k = 0;
	maps_snapshot_overlap(s, e->start, e->end, &first, &last);
	struct map_entry add[3];
	/* The parts of what it covers outside it stay. */
	if (first < last && s->v[first].start < e->start)
		entry_part(&add[k++], &s->v[first], s->v[first].start, e->start);
	map_entry_copy(&add[k++], e);
	if (first < last && s->v[last - 1].end > e->end)
		entry_part(&add[k++], &s->v[last - 1], e->end, s->v[last - 1].end);
	free_entries(s, first, last);
	maps_snapshot_splice(s, first, last, add, k);
}

bool
addrspace_map_object(struct process *p, pid_t tid, uint64_t l_addr)
{
	const uint64_t page = 4096;
	Elf64_Ehdr eh;
	Elf64_Phdr ph[64];
	if (!mem_read(tid, l_addr, &eh, sizeof(eh)) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    !eh.e_phnum || eh.e_phnum > 64 ||
	    !mem_read(tid, l_addr + eh.e_phoff, ph, eh.e_phnum * sizeof(ph[0])))
		return false;
	/* Each PT_LOAD: its pages of the file, then the anonymous pages of
	   its bss beyond them. */
	struct map_entry v[2 * 64];
	bool file[2 * 64];
	size_t n = 0;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		uint64_t lo = (l_addr + ph[i].p_vaddr) & ~(page - 1);
		uint64_t file_end = (l_addr + ph[i].p_vaddr + ph[i].p_filesz + page - 1) & ~(page - 1);
		uint64_t mem_end = (l_addr + ph[i].p_vaddr + ph[i].p_memsz + page - 1) & ~(page - 1);
		char perms[5] = { ph[i].p_flags & PF_R ? 'r' : '-', ph[i].p_flags & PF_W ? 'w' : '-',
				  ph[i].p_flags & PF_X ? 'x' : '-', 'p', '\0' };
		for (int part = 0; part < 2; part++) {
			uint64_t from = part ? (file_end > lo ? file_end : lo) : lo;
			uint64_t to = part ? mem_end : file_end;
			if (to <= from)
				continue;
			struct map_entry *e = &v[n];
			memset(e, 0, sizeof(*e));
			e->start = from;
			e->end = to;
			e->offset = part ? 0 : ph[i].p_offset & ~(page - 1);
			memcpy(e->perms, perms, sizeof(perms));
			file[n++] = !part;
		}
	}
	if (!n || !file[0])
		return false;
	/* The file as the maps name it, through the first segment. */
	char link[96], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/%d/map_files/%llx-%llx", (int)tid,
		 (unsigned long long)v[0].start, (unsigned long long)v[0].end);
	struct stat st;
	ssize_t len = readlink(link, path, sizeof(path) - 1);
	if (len <= 0 || path[0] != '/' || stat(link, &st) != 0)
		return false;
	path[len] = '\0';
	static const char suffix[] = " (deleted)";
	size_t slen = sizeof(suffix) - 1;
	bool deleted = (size_t)len > slen && strcmp(path + len - slen, suffix) == 0;
	if (deleted)
		path[len - slen] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (file[i]) {
			v[i].path = path;
			v[i].inode = st.st_ino;
			v[i].dev_major = major(st.st_dev);
			v[i].dev_minor = minor(st.st_dev);
			v[i].deleted = deleted;
		}
		snapshot_insert(&p->maps, &v[i]);
	}
	/* Opened now, while mapped: it may be unloaded, and then rewritten. */
	objcache_get_copy(tid, &v[0]);
	return true;
}

/* The last history entry came from an unmap the watch saw. */
static void
mark_unmapped(struct process *p, pid_t tid, const char *call, const uint64_t *pcs,
	      size_t npcs, bool unknown)
{
	struct gone_mapping *g = &p->history.v[p->history.n - 1];
	g->unmap_call = call;
	g->unmap_tid = tid;
	g->contents_unknown = unknown;
	if (npcs) {
		g->pcs = xmalloc(npcs * sizeof(*pcs));
		memcpy(g->pcs, pcs, npcs * sizeof(*pcs));
		g->npcs = (unsigned int)npcs;
	}
}

/* What the kernel has in [start, end) right now, into the snapshot: the
   call is stopped at its entry, so this is exactly what it removes. */
static void
learn_range(struct process *p, pid_t tid, uint64_t start, uint64_t end)
{
	struct maps_snapshot now;
	if (procmap_read_range(p->pid, tid, start, end, &now) < 0)
		return;
	for (size_t i = 0; i < now.n; i++)
		snapshot_insert(&p->maps, &now.v[i]);
	maps_snapshot_free(&now);
}

void
addrspace_note_unmap(struct process *p, pid_t tid, uint64_t start, uint64_t end,
		     const char *call, const uint64_t *pcs, size_t npcs)
{
	learn_range(p, tid, start, end);
	struct maps_snapshot *s = &p->maps;
	double t = clock_now();
	size_t first, last, k = 0;
	maps_snapshot_overlap(s, start, end, &first, &last);
	/* Of what it overlaps, only the parts before and after it stay. */
	struct map_entry add[2];
	uint64_t covered = start;	/* the range is walked in address order */
	for (size_t i = first; i < last; i++) {
		struct map_entry *m = &s->v[i];
		uint64_t lo = m->start > start ? m->start : start;
		uint64_t hi = m->end < end ? m->end : end;
		if (lo > covered) {
			struct map_entry gap = { .start = covered, .end = lo, .perms = "----" };
			maps_history_add(&p->history, &gap, t, 0);
			mark_unmapped(p, tid, call, pcs, npcs, true);
		}
		covered = hi;
		struct map_entry gone;
		entry_part(&gone, m, lo, hi);
		maps_history_add(&p->history, &gone, t, 0);
		mark_unmapped(p, tid, call, pcs, npcs, false);
		map_entry_free(&gone);
		if (m->start < lo)
			entry_part(&add[k++], m, m->start, lo);
		if (m->end > hi)
			entry_part(&add[k++], m, hi, m->end);
	}
	if (covered < end) {
		struct map_entry gap = { .start = covered, .end = end, .perms = "----" };
		maps_history_add(&p->history, &gap, t, 0);
		mark_unmapped(p, tid, call, pcs, npcs, true);
	}
	free_entries(s, first, last);
	maps_snapshot_splice(s, first, last, add, k);
}

void
addrspace_protect(struct process *p, uint64_t start, uint64_t end, const char *prot)
{
	struct maps_snapshot *s = &p->maps;
	size_t first, last, k = 0;
	maps_snapshot_overlap(s, start, end, &first, &last);
	/* Each overlapped entry splits into at most three: before, inside, after. */
	struct map_entry *add = xcalloc(3 * (last - first) + 1, sizeof(*add));
	for (size_t i = first; i < last; i++) {
		struct map_entry *m = &s->v[i];
		uint64_t cuts[4] = { m->start, m->start > start ? m->start : start,
				     m->end < end ? m->end : end, m->end };
		for (int c = 0; c < 3; c++) {
			if (cuts[c] >= cuts[c + 1])
				continue;
			entry_part(&add[k], m, cuts[c], cuts[c + 1]);
			if (c == 1)
				memcpy(add[k].perms, prot, 3);
			k++;
		}
	}
	free_entries(s, first, last);
	maps_snapshot_splice(s, first, last, add, k);
	free(add);
}

static void
locate_in_file(struct location *loc, uint64_t addr)
{
	const struct map_entry *m = loc->map;
	if (!loc->elf)
		return;
	loc->has_vaddr = elfsym_offset_to_vaddr(loc->elf, addr - m->start + m->offset,
						&loc->vaddr);
}

bool
addrspace_locate(struct process *p, uint64_t addr, struct location *loc)
{
	memset(loc, 0, sizeof(*loc));
	const struct map_entry *m = maps_snapshot_find(&p->maps, addr);
	if (m) {
		loc->map = m;
		/* Every file in the snapshot was opened when it appeared. */
		loc->elf = objcache_lookup(m);
		locate_in_file(loc, addr);
		return true;
	}
	const struct gone_mapping *g = maps_history_lookup(&p->history, addr);
	if (!g)
		return false;
	loc->map = &g->map;
	loc->gone = true;
	loc->gone_at = g->gone_at;
	loc->gone_event = g->event_id;
	loc->elf = objcache_lookup(&g->map);
	locate_in_file(loc, addr);
	return true;
}

const char *
addrspace_region_name(const struct map_entry *m)
{
	if (!m)
		return "unmapped";
	if (!m->path)
		return "anonymous";
	if (strcmp(m->path, "[heap]") == 0)
		return "heap";
	if (strncmp(m->path, "[stack", 6) == 0)
		return "stack";
	return m->path;
}
