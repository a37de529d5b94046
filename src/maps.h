/* /proc/PID/maps: parsing, snapshots, diffs, and the history of mappings
   that are gone.  The history is the heart of the tool: a fault address
   must still be matched to a mapping that no longer exists. */
#ifndef TA_MAPS_H
#define TA_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct map_entry {
	uint64_t start, end;	/* [start, end) */
	uint64_t offset;	/* file offset of start */
	uint64_t inode;
	unsigned int dev_major, dev_minor;
	char perms[5];		/* "r-xp", NUL-terminated */
	bool deleted;		/* the path ended in " (deleted)" (suffix removed) */
	char *path;		/* NULL for an anonymous mapping; may hold spaces;
				   "[heap]", "[stack]", ... kept as the kernel wrote them */
};

struct maps_snapshot {
	struct map_entry *v;	/* sorted by start, non-overlapping */
	size_t n;
	size_t skipped;		/* malformed lines that were skipped */
};

/* Parse the text of a maps file (need not be NUL-terminated).  Malformed lines
   are skipped and counted, never fatal; a truncated last line is skipped.
   Returns 0; out is always valid (possibly empty) and must be freed. */
int maps_parse(const char *text, size_t len, struct maps_snapshot *out);

/* Read and parse the maps through thread tid of process pid
   (/proc/PID/task/TID/maps).  Returns 0, or -1 with errno set (the thread
   is gone, no permission; ESRCH when the text holds no mapping at all, as
   for a thread that has exited); out is then empty but valid. */
int maps_read_thread(pid_t pid, pid_t tid, struct maps_snapshot *out);
/* The same through the main thread. */
int maps_read_pid(pid_t pid, struct maps_snapshot *out);

void maps_snapshot_free(struct maps_snapshot *s);

/* The entry containing addr, or NULL. */
const struct map_entry *maps_snapshot_find(const struct maps_snapshot *s, uint64_t addr);

/* The entries of s that overlap [start, end): s->v[*first] up to, not
   including, s->v[*last] (*first == *last when none does, where an entry
   starting at start would go).  A binary search: work that changes a few
   mappings must not grow with the process's number of mappings. */
void maps_snapshot_overlap(const struct maps_snapshot *s, uint64_t start, uint64_t end,
			   size_t *first, size_t *last);

/* Put the k entries of add (moved in: the snapshot owns their paths now)
   in the place of s->v[first] up to s->v[last], which the caller has
   already freed.  Keeping s sorted and disjoint is the caller's part. */
void maps_snapshot_splice(struct maps_snapshot *s, size_t first, size_t last,
			  const struct map_entry *add, size_t k);

/* Private writable: what the kernel counts as a process's data (and
   stack) in /proc/PID/statm. */
bool map_entry_private_writable(const struct map_entry *e);

/* Make s agree with w, the complete list of s's process's private
   writable mappings as they are now (both sorted): every private
   writable entry of s is dropped (w has the truth about them; one w does
   not hold has been made read-only or removed since), and w's entries
   take the place of whatever they overlap in s. */
void maps_snapshot_merge_writable(struct maps_snapshot *s, const struct maps_snapshot *w);

/* Copy of one entry (deep: path duplicated) and its release. */
void map_entry_copy(struct map_entry *dst, const struct map_entry *src);
void map_entry_free(struct map_entry *e);

/* What changed between two snapshots.  An entry is "the same" when start,
   end, offset, perms, inode and path all match; anything else appears as
   removed from old and added in new (an mprotect shows as both). */
struct maps_diff {
	struct map_entry *added;	/* deep copies */
	size_t n_added;
	struct map_entry *removed;	/* deep copies */
	size_t n_removed;
};

void maps_diff_compute(const struct maps_snapshot *old_snap,
		       const struct maps_snapshot *new_snap, struct maps_diff *out);
void maps_diff_free(struct maps_diff *d);

/* Mappings that went away, with when and why.  Append-only. */
struct gone_mapping {
	struct map_entry map;	/* deep copy, as it was while mapped */
	double gone_at;		/* seconds since the tool started: when it was
				   seen gone */
	double seen_at;		/* when it was last seen mapped: it went away
				   between seen_at and gone_at (equal when the
				   unmap was seen as it happened) */
	unsigned int event_id;	/* the timeline event that saw it go (0: none) */
	/* Removed by a call seen as it happened (the unmap watch): */
	const char *unmap_call;	/* "munmap", "mremap", "mmap(MAP_FIXED)"; NULL */
	pid_t unmap_tid;
	uint64_t *pcs;		/* the caller's stack, innermost first */
	unsigned int npcs;
	bool contents_unknown;	/* mapped after the tool's last look: what it
				   held (anonymous memory, a file) is not known */
};

struct maps_history {
	struct gone_mapping *v;	/* in the order they went away */
	size_t n, cap;
};

void maps_history_init(struct maps_history *h);
void maps_history_free(struct maps_history *h);
void maps_history_add(struct maps_history *h, const struct map_entry *m,
		      double gone_at, unsigned int event_id);
/* The most recently gone mapping that covered addr, or NULL. */
const struct gone_mapping *maps_history_lookup(const struct maps_history *h, uint64_t addr);

/* True for a file-backed mapping of a regular file (not "[heap]", "[vdso]",
   anonymous, or a special file). */
bool map_entry_is_file(const struct map_entry *e);

#endif
