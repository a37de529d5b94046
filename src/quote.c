#include "config.h"
#include "quote.h"

#include <stdbool.h>
#include <string.h>

/* The escape for byte c into e (at most 5 bytes), or false if c prints as
   it is. */
static bool
quote_escape(unsigned char c, bool in_quotes, char e[5])
{
	switch (c) {
	case '\n': strcpy(e, "\\n"); return true;
	case '\t': strcpy(e, "\\t"); return true;
	case '\r': strcpy(e, "\\r"); return true;
	case '\\': strcpy(e, "\\\\"); return true;
	case '"':
		if (!in_quotes)
			return false;
		strcpy(e, "\\\"");
		return true;
	}
	if (c < 0x20 || c == 0x7f) {
		e[0] = '\\';
		e[1] = (char)('0' + ((c >> 6) & 7));
		e[2] = (char)('0' + ((c >> 3) & 7));
		e[3] = (char)('0' + (c & 7));
		e[4] = '\0';
		return true;
	}
	return false;
}

static void
quote_put(FILE *out, const char *s, bool in_quotes)
{
	char e[5];
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (quote_escape(*c, in_quotes, e))
			fputs(e, out);
		else
			fputc(*c, out);
	}
}

void
quote_print(FILE *out, const char *s)
{
	quote_put(out, s ? s : "?", false);
}

void
quote_print_arg(FILE *out, const char *s)
{
	if (!s)
		s = "";
	bool plain = s[0] != '\0';
	for (const unsigned char *c = (const unsigned char *)s; *c && plain; c++)
		plain = *c > 0x20 && *c != 0x7f && !strchr("\"'\\$`!*?;&|<>()[]{}#~", *c);
	if (plain) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	quote_put(out, s, true);
	fputc('"', out);
}

char *
quote_string(const char *s, char *buf, size_t size)
{
	size_t n = 0;
	char e[5];
	if (!size)
		return buf;
	for (const unsigned char *c = (const unsigned char *)(s ? s : "?"); *c; c++) {
		if (!quote_escape(*c, false, e)) {
			e[0] = (char)*c;
			e[1] = '\0';
		}
		size_t len = strlen(e);
		if (n + len >= size)
			break;
		memcpy(buf + n, e, len);
		n += len;
	}
	buf[n] = '\0';
	return buf;
}
