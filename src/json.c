#include "config.h"
#include "json.h"

#include <math.h>

void
json_init(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->has_items[0] = false;
}

static void
put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			/* Paths and argv are bytes, not necessarily UTF-8: escape
			   control characters and anything not ASCII. */
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void
key(struct json *j, const char *k)
{
	if (j->has_items[j->depth])
		fputc(',', j->f);
	j->has_items[j->depth] = true;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
	if (k) {
		put_string(j->f, k);
		fputs(": ", j->f);
	}
}

static void
open_(struct json *j, const char *k, char c)
{
	if (j->depth == 0 && !j->has_items[0] && !k) {
		fputc(c, j->f);
	} else {
		key(j, k);
		fputc(c, j->f);
	}
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void
close_(struct json *j, char c)
{
	bool items = j->has_items[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (items) {
		fputc('\n', j->f);
		for (int i = 0; i < j->depth; i++)
			fputs("  ", j->f);
	}
	fputc(c, j->f);
	if (j->depth == 0)
		fputc('\n', j->f);
}

void json_object_begin(struct json *j, const char *k) { open_(j, k, '{'); }
void json_object_end(struct json *j) { close_(j, '}'); }
void json_array_begin(struct json *j, const char *k) { open_(j, k, '['); }
void json_array_end(struct json *j) { close_(j, ']'); }

void
json_null(struct json *j, const char *k)
{
	key(j, k);
	fputs("null", j->f);
}

void
json_string(struct json *j, const char *k, const char *val)
{
	key(j, k);
	if (val)
		put_string(j->f, val);
	else
		fputs("null", j->f);
}

void
json_int(struct json *j, const char *k, long long val)
{
	key(j, k);
	fprintf(j->f, "%lld", val);
}

void
json_bool(struct json *j, const char *k, bool val)
{
	key(j, k);
	fputs(val ? "true" : "false", j->f);
}

void
json_double(struct json *j, const char *k, double val)
{
	key(j, k);
	if (isfinite(val))
		fprintf(j->f, "%.6f", val);
	else
		fputs("null", j->f);
}

void
json_hex(struct json *j, const char *k, uint64_t val)
{
	key(j, k);
	fprintf(j->f, "\"0x%llx\"", (unsigned long long)val);
}
