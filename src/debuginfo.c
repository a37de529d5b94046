#include "config.h"
#include "debuginfo.h"
#include "demangle.h"
#include "elfsym.h"
#include "error.h"
#include "xmalloc.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What was found for one file, once. */
struct dbg {
	const struct elf_file *file;
	Dwarf *dw;			/* its DWARF, or its debug file's; NULL: none */
	Elf *debug_elf;			/* the separate debug file, if one is used */
	int debug_fd;
	struct elf_file *debug_syms;	/* the same file, for its .symtab */
	struct dbg *next;
};

#define DBG_BUCKETS 64
static struct dbg *dbg_hash[DBG_BUCKETS];
static char *debug_dirs;

void
debuginfo_set_dirs(const char *dirs)
{
	free(debug_dirs);
	debug_dirs = xstrdup(dirs);
}

static const char *
dirs(void)
{
	return debug_dirs ? debug_dirs : "/usr/lib/debug";
}

/* ---- Finding the separate debug file ---- */

/* The CRC-32 that .gnu_debuglink records (the one zlib computes). */
static uint32_t
crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	static uint32_t table[256];
	if (!table[1])
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static bool
file_crc32(int fd, uint32_t *crc)
{
	unsigned char buf[65536];
	uint32_t c = 0;
	off_t off = 0;
	for (;;) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);
		if (n < 0)
			return false;
		if (n == 0)
			break;
		c = crc32_update(c, buf, (size_t)n);
		off += n;
	}
	*crc = c;
	return true;
}

/* The .gnu_debuglink section: a file name, padding to 4, its CRC-32. */
static bool
read_debuglink(Elf *elf, char *name, size_t size, uint32_t *crc)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		const char *sname;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS ||
		    !(sname = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(sname, ".gnu_debuglink") != 0)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || d->d_size < 8)
			return false;
		const char *p = d->d_buf;
		size_t len = strnlen(p, d->d_size);
		size_t crc_at = (len + 4) & ~(size_t)3;
		if (len == 0 || len >= size || crc_at + 4 > d->d_size)
			return false;
		memcpy(name, p, len);
		name[len] = '\0';
		/* A file name, not a path: the search adds the directories. */
		if (strchr(name, '/'))
			return false;
		memcpy(crc, p + crc_at, 4);
		return true;
	}
	return false;
}

/* libdw 0.188 reads the strings of .debug_str and .debug_line_str with
   strlen: a section that does not end in a NUL (a corrupt or truncated
   file) would be read past its end.  Such a file's DWARF is not used. */
static bool
strings_terminated(Elf *elf, const char *path)
{
	size_t shstrndx;
	if (elf_getshdrstrndx(elf, &shstrndx) != 0)
		return false;
	for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(name = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strncmp(name, ".debug_", 7) != 0 || !strstr(name, "str") ||
		    strstr(name, "offsets"))
			continue;
		/* Debian's debug files compress their sections: look at the
		   strings as libdw will, decompressed (it then finds them so). */
		if ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0) {
			debug_msg("%s: cannot decompress %s: %s", path, name, elf_errmsg(-1));
			return false;
		}
		Elf_Data *d = elf_getdata(scn, NULL);
		if (d && d->d_size && (!d->d_buf || ((const char *)d->d_buf)[d->d_size - 1] != '\0')) {
			debug_msg("%s: %s does not end in a NUL: its DWARF is not used", path, name);
			return false;
		}
	}
	return true;
}

/* Open path as the debug file of f: an ELF file that has DWARF, and the
   same build-id when both have one. */
static bool
try_debug_file(struct dbg *d, const char *path, bool check_crc, uint32_t crc)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	uint32_t got = 0;
	if (check_crc && (!file_crc32(fd, &got) || got != crc)) {
		debug_msg("%s: CRC-32 %08x does not match the debuglink's %08x of %s: ignored",
			  path, got, crc, elfsym_path(d->file));
		close(fd);
		return false;
	}
	Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
	Dwarf *dw = elf && strings_terminated(elf, path) ?
		    dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
	if (!dw) {
		debug_msg("%s: no DWARF to read: %s", path, dwarf_errmsg(-1));
		if (elf)
			elf_end(elf);
		close(fd);
		return false;
	}
	struct elf_file *syms = elfsym_open_path(path);
	const char *want = elfsym_build_id((struct elf_file *)d->file);
	const char *have = syms ? elfsym_build_id(syms) : NULL;
	if (want && have && strcmp(want, have) != 0) {
		debug_msg("%s: build-id %s, not %s's %s: ignored", path, have,
			  elfsym_path(d->file), want);
		dwarf_end(dw);
		elf_end(elf);
		close(fd);
		elfsym_close(syms);
		return false;
	}
	debug_msg("%s: debug information from %s", elfsym_path(d->file), path);
	d->dw = dw;
	d->debug_elf = elf;
	d->debug_fd = fd;
	d->debug_syms = syms;
	return true;
}

/* Each directory of the search list in turn: fn(dir, arg) until true. */
static bool
for_each_dir(bool (*fn)(const char *dir, struct dbg *d, const void *arg), struct dbg *d,
	     const void *arg)
{
	char *list = xstrdup(dirs()), *save = NULL;
	bool found = false;
	for (char *dir = strtok_r(list, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save))
		if (*dir)
			found = fn(dir, d, arg);
	free(list);
	return found;
}

static bool
by_build_id(const char *dir, struct dbg *d, const void *arg)
{
	const char *id = arg;
	char path[4096];
	snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", dir, id, id + 2);
	return try_debug_file(d, path, false, 0);
}

struct debuglink {
	const char *name;
	const char *file_dir;	/* the directory of the file itself */
	uint32_t crc;
};

static bool
by_debuglink_in(const char *dir, struct dbg *d, const void *arg)
{
	const struct debuglink *l = arg;
	char path[4096];
	snprintf(path, sizeof(path), "%s%s/%s", dir, l->file_dir, l->name);
	return try_debug_file(d, path, true, l->crc);
}

static void
find_separate(struct dbg *d)
{
	const char *id = elfsym_build_id((struct elf_file *)d->file);
	if (id && strlen(id) > 2 && for_each_dir(by_build_id, d, id))
		return;
	char name[256];
	uint32_t crc;
	if (!read_debuglink(elfsym_elf_handle(d->file), name, sizeof(name), &crc))
		return;
	char *copy = xstrdup(elfsym_path(d->file));
	struct debuglink l = { .name = name, .file_dir = dirname(copy), .crc = crc };
	char path[4096];
	/* Beside the file, in .debug/ beside it, then under each directory. */
	snprintf(path, sizeof(path), "%s/%s", l.file_dir, name);
	if (strcmp(path, elfsym_path(d->file)) != 0 && try_debug_file(d, path, true, crc))
		goto done;
	snprintf(path, sizeof(path), "%s/.debug/%s", l.file_dir, name);
	if (try_debug_file(d, path, true, crc))
		goto done;
	for_each_dir(by_debuglink_in, d, &l);
done:
	free(copy);
}

static bool
has_line_info(Dwarf *dw)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	return dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0;
}

static struct dbg *
dbg_for(const struct elf_file *f)
{
	unsigned int b = (unsigned int)(((uintptr_t)f >> 4) % DBG_BUCKETS);
	for (struct dbg *d = dbg_hash[b]; d; d = d->next)
		if (d->file == f)
			return d;
	struct dbg *d = xcalloc(1, sizeof(*d));
	d->file = f;
	d->debug_fd = -1;
	d->next = dbg_hash[b];
	dbg_hash[b] = d;
	/* A file rewritten in place since it was loaded: its DWARF would
	   describe other code. */
	if (elfsym_changed_on_disk((struct elf_file *)f))
		return d;
	Elf *elf = elfsym_elf_handle(f);
	Dwarf *own = strings_terminated(elf, elfsym_path(f)) ?
		     dwarf_begin_elf(elf, DWARF_C_READ, NULL) : NULL;
	if (own && has_line_info(own)) {
		d->dw = own;
		return d;
	}
	if (own)
		dwarf_end(own);
	find_separate(d);
	return d;
}

/* ---- Lines and inlined calls ---- */

/* A bound on nesting, for DWARF that loops. */
#define DEBUGINFO_MAX_INLINE 64

static char *
die_function_name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *s = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));
	if (!s)
		s = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &a));
	if (s)
		return demangle(s);
	s = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
	return xstrdup(s ? s : "??");
}

static const char *
file_of_index(Dwarf_Files *files, Dwarf_Word idx)
{
	return files ? dwarf_filesrc(files, idx, NULL, NULL) : NULL;
}

/* The first inlined call among scopes[from..n) before the function that
   holds them, into *cur; scopes is freed. */
static bool
innermost_inlined(Dwarf_Die *scopes, int n, int from, Dwarf_Die *cur)
{
	bool found = false;
	for (int i = from; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag == DW_TAG_inlined_subroutine) {
			*cur = scopes[i];
			found = true;
		}
		if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_subprogram)
			break;
	}
	free(scopes);
	return found;
}

/* The compile unit holding vaddr.  Clang 14's DWARF 5 has no
   .debug_aranges, and libdw 0.188 cannot build them from its range lists:
   then each unit's own ranges are asked. */
static bool
unit_of(Dwarf *dw, uint64_t vaddr, Dwarf_Die *cu)
{
	if (dwarf_addrdie(dw, vaddr, cu))
		return true;
	Dwarf_Off off = 0, next;
	size_t hsize;
	while (dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		if (dwarf_offdie(dw, off + hsize, cu) && dwarf_haspc(cu, vaddr) == 1)
			return true;
		off = next;
	}
	return false;
}

bool
debuginfo_lookup(struct elf_file *f, uint64_t vaddr, struct src_location *out)
{
	memset(out, 0, sizeof(*out));
	struct dbg *d = dbg_for(f);
	Dwarf_Die cu;
	if (!d->dw || !unit_of(d->dw, vaddr, &cu))
		return false;
	Dwarf_Line *line = dwarf_getsrc_die(&cu, vaddr);
	const char *file = line ? dwarf_linesrc(line, NULL, NULL) : NULL;
	int lineno = 0;
	if (!file || dwarf_lineno(line, &lineno) != 0 || lineno <= 0)
		return false;
	char *cur_file = xstrdup(file);
	unsigned int cur_line = (unsigned int)lineno;

	/* Innermost scope first: each inlined call is at the current place,
	   and was called from its DW_AT_call_file:line. */
	Dwarf_Files *files = NULL;
	size_t nfiles;
	if (dwarf_getsrcfiles(&cu, &files, &nfiles) != 0)
		files = NULL;
	/* dwarf_getscopes follows an inlined call into its abstract
	   definition; the calls around it come from dwarf_getscopes_die on
	   the concrete inlined DIE, one level at a time. */
	Dwarf_Die *scopes = NULL, cur;
	bool inlined;
	int n = dwarf_getscopes(&cu, vaddr, &scopes);
	inlined = innermost_inlined(scopes, n, 0, &cur);
	for (unsigned int depth = 0; inlined && depth < DEBUGINFO_MAX_INLINE; depth++) {
		out->inlined = xrealloc(out->inlined, (out->ninlined + 1) * sizeof(*out->inlined));
		struct src_inline *in = &out->inlined[out->ninlined++];
		in->function = die_function_name(&cur);
		in->file = cur_file;
		in->line = cur_line;
		Dwarf_Attribute a;
		Dwarf_Word call_file = 0, call_line = 0;
		dwarf_formudata(dwarf_attr(&cur, DW_AT_call_file, &a), &call_file);
		dwarf_formudata(dwarf_attr(&cur, DW_AT_call_line, &a), &call_line);
		const char *cf = file_of_index(files, call_file);
		cur_file = xstrdup(cf ? cf : "??");
		cur_line = (unsigned int)call_line;
		inlined = false;
		n = dwarf_getscopes_die(&cur, &scopes);
		inlined = innermost_inlined(scopes, n, 1, &cur);
	}
	out->file = cur_file;
	out->line = cur_line;
	return true;
}

void
src_location_free(struct src_location *l)
{
	free(l->file);
	for (size_t i = 0; i < l->ninlined; i++) {
		free(l->inlined[i].function);
		free(l->inlined[i].file);
	}
	free(l->inlined);
	memset(l, 0, sizeof(*l));
}

bool
debuginfo_symbol(struct elf_file *f, uint64_t vaddr, struct elf_symbol *out)
{
	struct dbg *d = dbg_for(f);
	return d->debug_syms && elfsym_lookup(d->debug_syms, vaddr, out);
}

void
debuginfo_fill_stack(const struct stack *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct frame *fr = &s->v[i];
		if (fr->source_done)
			continue;
		fr->source_done = true;
		if (!fr->elf || !fr->has_module_offset)
			continue;
		/* A return address is looked up inside the call before it. */
		uint64_t vaddr = fr->module_offset - (fr->is_return && fr->module_offset ? 1 : 0);
		struct elf_symbol sym;
		if (!fr->symbol && debuginfo_symbol(fr->elf, vaddr, &sym)) {
			fr->symbol = demangle(sym.name);
			fr->sym_offset = fr->module_offset - sym.value;
		}
		struct src_location loc;
		if (!debuginfo_lookup(fr->elf, vaddr, &loc))
			continue;
		fr->source_file = loc.file;
		fr->source_line = loc.line;
		fr->inlined = loc.inlined;
		fr->ninlined = loc.ninlined;
	}
}

void
debuginfo_free_all(void)
{
	for (size_t b = 0; b < DBG_BUCKETS; b++) {
		struct dbg *d = dbg_hash[b];
		while (d) {
			struct dbg *next = d->next;
			if (d->dw)
				dwarf_end(d->dw);
			if (d->debug_elf)
				elf_end(d->debug_elf);
			if (d->debug_fd >= 0)
				close(d->debug_fd);
			if (d->debug_syms)
				elfsym_close(d->debug_syms);
			free(d);
			d = next;
		}
		dbg_hash[b] = NULL;
	}
	free(debug_dirs);
	debug_dirs = NULL;
}

/* ---- Types ---- */

static bool
member_offset(Dwarf_Die *type, const char *member, uint64_t *off)
{
	Dwarf_Die m;
	if (dwarf_child(type, &m) != 0)
		return false;
	do {
		const char *name = dwarf_tag(&m) == DW_TAG_member ? dwarf_diename(&m) : NULL;
		Dwarf_Attribute a;
		Dwarf_Word w;
		if (name && strcmp(name, member) == 0)
			return dwarf_attr(&m, DW_AT_data_member_location, &a) &&
			       dwarf_formudata(&a, &w) == 0 && (*off = w, true);
	} while (dwarf_siblingof(&m, &m) == 0);
	return false;
}

bool
debuginfo_member_offset(struct elf_file *f, const char *type, const char *member, uint64_t *off)
{
	struct dbg *d = dbg_for(f);
	if (!d->dw)
		return false;
	Dwarf_Off o = 0, next;
	size_t hsize;
	/* Only the units' top-level types: where glibc's structures are. */
	while (dwarf_nextcu(d->dw, o, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, die;
		if (dwarf_offdie(d->dw, o + hsize, &cu) && dwarf_child(&cu, &die) == 0) {
			do {
				const char *name = dwarf_tag(&die) == DW_TAG_structure_type &&
						   !dwarf_hasattr(&die, DW_AT_declaration) ?
						   dwarf_diename(&die) : NULL;
				if (name && strcmp(name, type) == 0 && member_offset(&die, member, off))
					return true;
			} while (dwarf_siblingof(&die, &die) == 0);
		}
		o = next;
	}
	return false;
}
