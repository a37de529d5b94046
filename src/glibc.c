#include "config.h"
#include "glibc.h"
#include "elfsym.h"
#include "mem.h"

#include <ctype.h>
#include <string.h>

bool
glibc_version_read(pid_t pid, struct elf_file *elf, uint64_t l_addr, char *buf, size_t size)
{
	struct elf_symbol sym;
	uint8_t code[12];
	if (!elf || !elfsym_find(elf, "gnu_get_libc_version", &sym) || sym.from_symtab ||
	    !mem_read(pid, l_addr + sym.value, code, sizeof(code)))
		return false;
	size_t at = 0;
	static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	if (memcmp(code, endbr64, sizeof(endbr64)) == 0)
		at = sizeof(endbr64);
	/* 48 8d 05 disp32: lea disp32(%rip),%rax, then c3: ret. */
	if (code[at] != 0x48 || code[at + 1] != 0x8d || code[at + 2] != 0x05 ||
	    code[at + 7] != 0xc3)
		return false;
	int32_t disp;
	memcpy(&disp, code + at + 3, sizeof(disp));
	uint64_t str = l_addr + sym.value + at + 7 + (int64_t)disp;
	if (!mem_read_string(pid, str, buf, size) || !isdigit((unsigned char)buf[0]))
		return false;
	/* "2.36": digits and dots only. */
	for (const char *c = buf; *c; c++)
		if (!isdigit((unsigned char)*c) && *c != '.')
			return false;
	return true;
}
