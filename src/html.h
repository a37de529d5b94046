/* A small streaming HTML writer: escaped text and attribute values, and
   elements.  Strings from the tracee (paths, argv, symbols) may hold any
   byte: they are written so that no byte can open a tag, end an
   attribute, or reach the browser as invalid UTF-8. */
#ifndef TA_HTML_H
#define TA_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* s escaped for text and for double- or single-quoted attribute values
   alike: & < > " ' as character references; control characters as the
   text report writes them (\n, \t, \ooo); bytes that are not valid UTF-8
   as \xNN.  NULL writes nothing. */
void html_escape(FILE *out, const char *s);
/* The same into a new string (xmalloc'd). */
char *html_escape_dup(const char *s);
/* printf, then html_escape. */
void html_escapef(FILE *out, const char *fmt, ...) ATTR_FORMAT(2, 3);

/* <tag name="value" ...>: attrs are name, value pairs ending with NULL;
   a NULL value leaves its attribute out.  Names are the caller's
   literals, written as they are. */
void html_open(FILE *out, const char *tag, ...) __attribute__((sentinel));
void html_close(FILE *out, const char *tag);
/* <tag attrs...>escaped text</tag> */
void html_element(FILE *out, const char *tag, const char *text, ...)
	__attribute__((sentinel));

#endif
