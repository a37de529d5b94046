/* C++ demangling via the C++ runtime's __cxa_demangle. */
#ifndef TA_DEMANGLE_H
#define TA_DEMANGLE_H

/* A malloc'd demangled name, or a malloc'd copy of name when it is not a
   mangled C++ name (or demangling fails).  NULL in, NULL out. */
char *demangle(const char *name);

#endif
