/* Unit tests for the pieces of a fault diagnosis that need no tracee: the
   instruction decoder (which registers are evidence), the plain-words
   classification, and escaping strings from the tracee. */
#include "config.h"
#include "fault_class.h"
#include "insn.h"
#include "quote.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"

static bool
decode(const char *bytes, size_t n, struct insn *in)
{
	return insn_decode((const uint8_t *)bytes, n, 0x1000, in);
}

static bool
uses(const struct insn *in, int reg)
{
	for (unsigned int i = 0; i < in->naddr_regs; i++)
		if (in->addr_regs[i] == reg)
			return true;
	return false;
}

static void
test_insn_loads_and_stores(void)
{
	struct insn in;
	CU_ASSERT_TRUE_FATAL(decode("\x8b\x00", 2, &in));		/* mov (%rax),%eax */
	CU_ASSERT_EQUAL(in.len, 2);
	CU_ASSERT_TRUE(in.reads_mem);
	CU_ASSERT_FALSE(in.writes_mem);
	CU_ASSERT_EQUAL(in.naddr_regs, 1);
	CU_ASSERT_TRUE(uses(&in, IREG_RAX));
	CU_ASSERT_STRING_EQUAL(in.text, "movl (%rax), %eax");

	CU_ASSERT_TRUE_FATAL(decode("\xc6\x00\x4a", 3, &in));	/* movb $0x4a,(%rax) */
	CU_ASSERT_TRUE(in.writes_mem);
	CU_ASSERT_FALSE(in.reads_mem);

	/* mov 0x8(%rax,%rbx,8),%rax: base and index, not the destination */
	CU_ASSERT_TRUE_FATAL(decode("\x48\x8b\x44\xd8\x08", 5, &in));
	CU_ASSERT_EQUAL(in.naddr_regs, 2);
	CU_ASSERT_TRUE(uses(&in, IREG_RAX));
	CU_ASSERT_TRUE(uses(&in, IREG_RBX));
	struct user_regs_struct r;
	memset(&r, 0, sizeof(r));
	r.rax = 0x100;
	r.rbx = 3;
	uint64_t a;
	CU_ASSERT_TRUE(insn_mem_address(&in, 0x1000, &r, &a));
	CU_ASSERT_EQUAL(a, 0x100 + 3 * 8 + 8);

	/* mov 0x0,%eax: an absolute address uses no register */
	CU_ASSERT_TRUE_FATAL(decode("\x8b\x04\x25\x00\x00\x00\x00", 7, &in));
	CU_ASSERT_EQUAL(in.naddr_regs, 0);

	/* lea computes an address and touches no memory */
	CU_ASSERT_TRUE_FATAL(decode("\x48\x8d\x47\x08", 4, &in));
	CU_ASSERT_FALSE(in.reads_mem || in.writes_mem);
	CU_ASSERT_EQUAL(in.naddr_regs, 0);

	/* mov %fs:0x28,%rax: the segment base is not known here */
	CU_ASSERT_TRUE_FATAL(decode("\x64\x48\x8b\x04\x25\x28\x00\x00\x00", 9, &in));
	CU_ASSERT_FALSE(insn_mem_address(&in, 0x1000, &r, &a));
}

static void
test_insn_branches(void)
{
	struct insn in;
	CU_ASSERT_TRUE_FATAL(decode("\xff\x50\x10", 3, &in));	/* call *0x10(%rax) */
	CU_ASSERT_TRUE(in.is_call && in.indirect);
	CU_ASSERT_TRUE(uses(&in, IREG_RAX));
	CU_ASSERT_EQUAL(in.target_reg, IREG_NONE);

	CU_ASSERT_TRUE_FATAL(decode("\xff\xd2", 2, &in));	/* call *%rdx */
	CU_ASSERT_TRUE(in.is_call && in.indirect);
	CU_ASSERT_EQUAL(in.target_reg, IREG_RDX);
	CU_ASSERT_TRUE(uses(&in, IREG_RDX));
	CU_ASSERT_TRUE(uses(&in, IREG_RSP));	/* the return address is pushed */

	CU_ASSERT_TRUE_FATAL(decode("\xff\x60\x10", 3, &in));	/* jmp *0x10(%rax) */
	CU_ASSERT_TRUE(in.is_jump && in.indirect && !in.is_call);

	CU_ASSERT_TRUE_FATAL(decode("\xe8\x00\x00\x00\x00", 5, &in));	/* call rel32 */
	CU_ASSERT_TRUE(in.is_call);
	CU_ASSERT_FALSE(in.indirect);

	CU_ASSERT_TRUE_FATAL(decode("\x0f\x0b", 2, &in));
	CU_ASSERT_STRING_EQUAL(in.text, "ud2");

	CU_ASSERT_TRUE_FATAL(decode("\x57", 1, &in));		/* push %rdi */
	CU_ASSERT_TRUE(in.writes_mem);
	CU_ASSERT_TRUE(uses(&in, IREG_RSP));
	CU_ASSERT_FALSE(uses(&in, IREG_RDI));
}

static void
test_insn_bad_input(void)
{
	struct insn in;
	/* Cut short, or not an instruction in 64-bit mode. */
	CU_ASSERT_FALSE(decode("\x48\x8b", 2, &in));
	CU_ASSERT_FALSE(decode("\x06", 1, &in));
	CU_ASSERT_FALSE(decode("", 0, &in));
	/* Fifteen prefixes and more: longer than any instruction may be. */
	char prefixes[20];
	memset(prefixes, 0x66, sizeof(prefixes));
	CU_ASSERT_FALSE(decode(prefixes, sizeof(prefixes), &in));
}

static void
test_quote(void)
{
	char buf[64];
	CU_ASSERT_STRING_EQUAL(quote_string("a\nb\tc\\d", buf, sizeof(buf)), "a\\nb\\tc\\\\d");
	CU_ASSERT_STRING_EQUAL(quote_string("\x01\x7f", buf, sizeof(buf)), "\\001\\177");
	CU_ASSERT_STRING_EQUAL(quote_string("caf\xc3\xa9", buf, sizeof(buf)), "caf\xc3\xa9");
	CU_ASSERT_STRING_EQUAL(quote_string(NULL, buf, sizeof(buf)), "?");
	/* Cut at an escape's boundary, never inside one. */
	CU_ASSERT_STRING_EQUAL(quote_string("ab\ncd", buf, 4), "ab");
	CU_ASSERT_STRING_EQUAL(quote_string("abcdef", buf, 4), "abc");

	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	quote_print_arg(f, "-c");
	fputc('|', f);
	quote_print_arg(f, "import os\nos.abort()");
	fputc('|', f);
	quote_print_arg(f, "");
	fputc('|', f);
	quote_print_arg(f, "say \"hi\"");
	fclose(f);
	CU_ASSERT_STRING_EQUAL(text, "-c|\"import os\\nos.abort()\"|\"\"|\"say \\\"hi\\\"\"");
	free(text);
}

static char *category, *verdict;

static void
classify(const struct fault_evidence *ev)
{
	free(category);
	free(verdict);
	fault_class_of(ev, &category, &verdict);
}

static void
test_fault_class(void)
{
	struct insn read;
	CU_ASSERT_TRUE_FATAL(decode("\x8b\x40\x10", 3, &read));	/* mov 0x10(%rax),%eax */
	struct fault_evidence ev = {
		.sig = SIGSEGV, .si_code = SEGV_MAPERR, .addr = 0x10, .pc = 0x1000,
		.insn = &read, .history_known = true,
	};
	classify(&ev);
	CU_ASSERT_STRING_EQUAL(category, "null-access");
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict, "NULL pointer read: address 0x10 is 16 bytes past NULL"));
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict, "no unloaded library is involved"));

	ev.history_known = false;
	classify(&ev);
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict, "an unloaded library cannot be ruled out"));
	ev.history_known = true;

	/* A jump to NULL: the pc is the address. */
	ev.addr = ev.pc = 0;
	classify(&ev);
	CU_ASSERT_STRING_EQUAL(category, "null-access");
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict, "a call through a NULL function pointer"));

	ev.addr = 0x7ffd0000f000;
	ev.pc = 0x1000;
	ev.stack_guard = true;
	classify(&ev);
	CU_ASSERT_STRING_EQUAL(category, "stack-overflow");

	ev.stack_guard = false;
	classify(&ev);
	CU_ASSERT_STRING_EQUAL(category, "wild-address");

	struct insn write;
	CU_ASSERT_TRUE_FATAL(decode("\xc6\x00\x4a", 3, &write));
	struct map_entry rodata = { .start = 0x7ffd0000e000, .end = 0x7ffd00010000,
				    .perms = "r--p", .path = "/usr/bin/x\nevil" };
	ev.si_code = SEGV_ACCERR;
	ev.insn = &write;
	ev.addr_map = &rodata;
	ev.addr_section = ".rodata";
	classify(&ev);
	CU_ASSERT_STRING_EQUAL(category, "write-to-read-only");
	/* The path from the tracee is escaped: the verdict stays one line. */
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict, ".rodata of /usr/bin/x\\nevil (r--p)"));
	CU_ASSERT_PTR_NULL(strchr(verdict, '\n'));

	struct fault_evidence sent = {
		.sig = SIGABRT, .si_code = SI_TKILL, .sent = true, .sent_by_self = true,
		.abort_message = "x: x.c:3: main: Assertion `0' failed.",
	};
	classify(&sent);
	CU_ASSERT_STRING_EQUAL(category, "abort");
	CU_ASSERT_STRING_EQUAL(verdict, "abort() was called: x: x.c:3: main: Assertion `0' failed.");

	sent.sig = SIGTERM;
	sent.sent_by_self = false;
	sent.sender = "pid 42 (bash), uid 0";
	classify(&sent);
	CU_ASSERT_STRING_EQUAL(category, "signal-sent");
	CU_ASSERT_PTR_NOT_NULL(strstr(verdict, "SIGTERM was sent by pid 42 (bash), uid 0"));

	free(category);
	free(verdict);
	category = verdict = NULL;
}

int
main(void)
{
	CU_TestInfo tests[] = {
		{ "instructions: loads and stores", test_insn_loads_and_stores },
		{ "instructions: calls and jumps", test_insn_branches },
		{ "instructions: bad input", test_insn_bad_input },
		{ "quoting strings from the tracee", test_quote },
		{ "plain words for ordinary faults", test_fault_class },
		CU_TEST_INFO_NULL,
	};
	return cunit_run("fault", tests);
}
