/* Unit tests for html.c: escaping of text and attribute values (strings
   from the tracee may hold anything), and the element writer. */
#include "config.h"
#include "html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"

/* What html_escape writes for s. */
static char *
escaped(const char *s)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	html_escape(f, s);
	fclose(f);
	return buf;
}

static void
check(const char *in, const char *want)
{
	char *got = escaped(in);
	CU_ASSERT_STRING_EQUAL(got, want);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  escaping \"%s\": got \"%s\", want \"%s\"\n", in, got, want);
	char *dup = html_escape_dup(in);
	CU_ASSERT_STRING_EQUAL(dup, want);
	free(dup);
	free(got);
}

static void
test_text(void)
{
	check("", "");
	check("/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6");
	check("a & b", "a &amp; b");
	check("&amp;", "&amp;amp;");
	check("x < y > z", "x &lt; y &gt; z");
	check("std::vector<int, std::allocator<int> >::~vector()",
	      "std::vector&lt;int, std::allocator&lt;int&gt; &gt;::~vector()");
	char *none = escaped(NULL);
	CU_ASSERT_STRING_EQUAL(none, "");
	free(none);
}

static void
test_script_path(void)
{
	/* A directory named to inject a script, as a dlopen argument or a
	   maps path can be. */
	check("/tmp/x<script>alert(1)</script>/libp.so",
	      "/tmp/x&lt;script&gt;alert(1)&lt;/script&gt;/libp.so");
	check("</title><script>alert(1)</script>",
	      "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
	char *s = escaped("<svg onload=alert(1)><!-- --><![CDATA[x]]>");
	CU_ASSERT_PTR_NULL(strchr(s, '<'));
	CU_ASSERT_PTR_NULL(strchr(s, '>'));
	free(s);
}

static void
test_quotes(void)
{
	/* Attribute values: neither quote can end the value. */
	check("a\"b", "a&quot;b");
	check("it's", "it&#39;s");
	check("\" onmouseover=\"alert(1)", "&quot; onmouseover=&quot;alert(1)");
	check("' onclick='x", "&#39; onclick=&#39;x");
}

static void
test_control(void)
{
	/* As the text report writes them: the layout never breaks. */
	check("a\nb", "a\\nb");
	check("a\tb\rc", "a\\tb\\rc");
	check("\x01\x1f\x7f", "\\001\\037\\177");
}

static void
test_bytes(void)
{
	/* Valid UTF-8 is kept. */
	check("caf\xc3\xa9", "caf\xc3\xa9");
	check("\xe2\x82\xac \xf0\x9f\x98\x80", "\xe2\x82\xac \xf0\x9f\x98\x80");
	/* Anything else is shown as bytes. */
	check("lib\xe9.so", "lib\\xe9.so");		/* Latin-1 */
	check("\x80", "\\x80");				/* lone continuation */
	check("\xc3", "\\xc3");				/* truncated at the end */
	check("\xc3<", "\\xc3&lt;");			/* truncated before markup */
	check("\xe2\x82", "\\xe2\\x82");
	check("\xc0\xbc", "\\xc0\\xbc");		/* overlong '<' */
	check("\xe0\x80\xbc", "\\xe0\\x80\\xbc");	/* overlong '<', 3 bytes */
	check("\xed\xa0\x80", "\\xed\\xa0\\x80");	/* a surrogate */
	check("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");	/* above U+10FFFF */
	check("\xff\xfe", "\\xff\\xfe");
}

static void
test_elements(void)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	html_open(f, "a", "href", "#e1", "title", "x\"><script>", "class", NULL, NULL);
	html_escape(f, "<b>");
	html_close(f, "a");
	html_element(f, "td", "1 & 2", "class", "n", NULL);
	html_escapef(f, " %s=%d", "<i>", 3);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, "<a href=\"#e1\" title=\"x&quot;&gt;&lt;script&gt;\">"
			       "&lt;b&gt;</a><td class=\"n\">1 &amp; 2</td> &lt;i&gt;=3");
	free(buf);
}

int
main(void)
{
	CU_TestInfo tests[] = {
		{ "text", test_text },
		{ "a path holding <script>", test_script_path },
		{ "quotes in attribute values", test_quotes },
		{ "control characters", test_control },
		{ "invalid UTF-8 bytes", test_bytes },
		{ "elements and attributes", test_elements },
		CU_TEST_INFO_NULL,
	};
	return cunit_run("html", tests);
}
