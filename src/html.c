#include "config.h"
#include "html.h"
#include "xmalloc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 if it is not
   one: overlong forms, surrogates and code points above U+10FFFF are
   not (RFC 3629). */
static size_t
utf8_length(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	unsigned int cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	/* A NUL ends the loop too: it is no continuation byte. */
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void
html_escape(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	if (!s)
		return;
	while (*s) {
		unsigned char c = *s;
		switch (c) {
		case '&': fputs("&amp;", out); s++; continue;
		case '<': fputs("&lt;", out); s++; continue;
		case '>': fputs("&gt;", out); s++; continue;
		case '"': fputs("&quot;", out); s++; continue;
		case '\'': fputs("&#39;", out); s++; continue;
		case '\n': fputs("\\n", out); s++; continue;
		case '\t': fputs("\\t", out); s++; continue;
		case '\r': fputs("\\r", out); s++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\%03o", c);
			s++;
			continue;
		}
		size_t n = utf8_length(s);
		if (n == 0) {
			/* Not UTF-8 (a Latin-1 file name): shown as a byte,
			   never handed to the browser to guess. */
			fprintf(out, "\\x%02x", c);
			s++;
			continue;
		}
		fwrite(s, 1, n, out);
		s += n;
	}
}

char *
html_escape_dup(const char *s)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return xstrdup("");
	html_escape(f, s);
	if (fclose(f) != 0 || !buf) {
		free(buf);
		return xstrdup("");
	}
	return buf;
}

void
html_escapef(FILE *out, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	html_escape(out, s);
	free(s);
}

static void
open_va(FILE *out, const char *tag, va_list ap)
{
	fprintf(out, "<%s", tag);
	const char *name;
	while ((name = va_arg(ap, const char *))) {
		const char *value = va_arg(ap, const char *);
		if (!value)
			continue;
		fprintf(out, " %s=\"", name);
		html_escape(out, value);
		fputc('"', out);
	}
	fputc('>', out);
}

void
html_open(FILE *out, const char *tag, ...)
{
	va_list ap;
	va_start(ap, tag);
	open_va(out, tag, ap);
	va_end(ap);
}

void
html_close(FILE *out, const char *tag)
{
	fprintf(out, "</%s>", tag);
}

void
html_element(FILE *out, const char *tag, const char *text, ...)
{
	va_list ap;
	va_start(ap, text);
	open_va(out, tag, ap);
	va_end(ap);
	html_escape(out, text);
	html_close(out, tag);
}
