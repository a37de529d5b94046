#include "config.h"
#include "objcache.h"
#include "elfsym.h"
#include "error.h"
#include "xmalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Open the file of mapping m as it is mapped: map_files first; the path
   only when it still names the same inode. */
static int
open_mapped_file(pid_t pid, const struct map_entry *m, dev_t dev)
{
	char path[96];
	snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
		 (unsigned long long)m->start, (unsigned long long)m->end);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && !m->deleted)
		fd = open(m->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_ino != m->inode ||
	    st.st_dev != dev) {
		debug_msg("%s: not the file mapped by pid %d (replaced on disk?)", m->path, pid);
		close(fd);
		return -1;
	}
	return fd;
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
	int fd = open_mapped_file(pid, m, dev);
	if (fd >= 0)
		o->elf = elfsym_open_fd(fd, m->path);
	if (o->elf && copy)
		elfsym_read_all(o->elf);
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
