#include "config.h"
#include "objcache.h"
#include "elfsym.h"
#include "error.h"
#include "mem.h"
#include "xmalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct obj {
	dev_t dev;
	ino_t ino;
	struct elf_file *elf;	/* NULL: not an ELF file we can read */
	struct obj *next;
};

#define OBJ_BUCKETS 256
static struct obj *obj_hash[OBJ_BUCKETS];

static unsigned int
obj_bucket(dev_t dev, ino_t ino)
{
	return (unsigned int)((ino * 31 + dev) % OBJ_BUCKETS);
}

static struct obj *
obj_find(dev_t dev, ino_t ino)
{
	for (struct obj *o = obj_hash[obj_bucket(dev, ino)]; o; o = o->next)
		if (o->dev == dev && o->ino == ino)
			return o;
	return NULL;
}

struct elf_file *
objcache_lookup(const struct map_entry *m)
{
	if (!map_entry_is_file(m))
		return NULL;
	struct obj *o = obj_find(makedev(m->dev_major, m->dev_minor), m->inode);
	return o ? o->elf : NULL;
}

/* The start of the file (ELF header, program headers, notes with the
   build-id) as the process has it mapped: never written at run time, so
   another build of the file differs there. */
static bool
head_matches(pid_t pid, const struct map_entry *m, struct elf_file *elf)
{
	unsigned char mem[4096], file[4096];
	uint64_t v0, vm;
	size_t n = elfsym_head_span(elf, &v0);
	if (!n || n > sizeof(mem) || !elfsym_offset_to_vaddr(elf, m->offset, &vm))
		return false;
	/* Where offset 0 is mapped: the same load bias as this mapping. */
	uint64_t addr = m->start - vm + v0;
	return mem_read(pid, addr, mem, n) &&
	       pread(elfsym_fd(elf), file, n, 0) == (ssize_t)n && memcmp(mem, file, n) == 0;
}

/* Open the ELF file of mapping m as it is mapped: map_files first (it is
   the mapped file itself); else the path, when it still names the same
   inode.  The device number proves nothing when it differs: btrfs gives
   each subvolume its own st_dev while the maps show the superblock's, and
   overlayfs before Linux 6.8 shows the layer's device in the maps.  Then
   the inode and the headers as mapped must match. */
static struct elf_file *
open_mapped_elf(pid_t pid, const struct map_entry *m, dev_t dev)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	bool by_map_files = true;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && !m->deleted) {
		by_map_files = false;
		fd = open(m->path, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return NULL;
	}
	bool same_ino = st.st_ino == m->inode;
	if (!same_ino && !by_map_files) {
		debug_msg("%s: not the file mapped by pid %d: inode %llu on disk, %llu mapped "
			  "(replaced on disk?)", m->path, pid, (unsigned long long)st.st_ino,
			  (unsigned long long)m->inode);
		close(fd);
		return NULL;
	}
	struct elf_file *elf = elfsym_open_fd(fd, m->path);
	if (!elf || (same_ino && st.st_dev == dev))
		return elf;
	if (!head_matches(pid, m, elf)) {
		debug_msg("%s: not the file mapped by pid %d: device %u:%u, inode %llu on disk, "
			  "%u:%u, %llu mapped, and its headers differ from the mapped ones or "
			  "cannot be read (replaced on disk?)", m->path, pid, major(st.st_dev),
			  minor(st.st_dev), (unsigned long long)st.st_ino, m->dev_major,
			  m->dev_minor, (unsigned long long)m->inode);
		elfsym_close(elf);
		return NULL;
	}
	debug_msg("%s (opened through %s): device %u:%u, inode %llu on disk, %u:%u, %llu in the "
		  "maps of pid %d (as on btrfs and overlayfs): the same file by its headers",
		  m->path, by_map_files ? "map_files" : "its path", major(st.st_dev),
		  minor(st.st_dev), (unsigned long long)st.st_ino, m->dev_major, m->dev_minor,
		  (unsigned long long)m->inode, pid);
	return elf;
}

static struct elf_file *objcache_open(pid_t pid, const struct map_entry *m, bool copy);

struct elf_file *
objcache_get(pid_t pid, const struct map_entry *m)
{
	return objcache_open(pid, m, false);
}

struct elf_file *
objcache_get_copy(pid_t pid, const struct map_entry *m)
{
	return objcache_open(pid, m, true);
}

static struct elf_file *
objcache_open(pid_t pid, const struct map_entry *m, bool copy)
{
	if (!map_entry_is_file(m))
		return NULL;
	dev_t dev = makedev(m->dev_major, m->dev_minor);
	struct obj *o = obj_find(dev, m->inode);
	if (o)
		return o->elf;
	o = xcalloc(1, sizeof(*o));
	o->dev = dev;
	o->ino = m->inode;
	o->elf = open_mapped_elf(pid, m, dev);
	if (o->elf && copy)
		elfsym_keep(o->elf);
	unsigned int b = obj_bucket(dev, m->inode);
	o->next = obj_hash[b];
	obj_hash[b] = o;
	return o->elf;
}

void
objcache_free_all(void)
{
	for (unsigned int b = 0; b < OBJ_BUCKETS; b++) {
		struct obj *o = obj_hash[b];
		while (o) {
			struct obj *next = o->next;
			if (o->elf)
				elfsym_close(o->elf);
			free(o);
			o = next;
		}
		obj_hash[b] = NULL;
	}
}
