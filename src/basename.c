#include "config.h"
#include "basename.h"

#include <string.h>

const char *
path_basename(const char *path)
{
	if (!path)
		return "?";
	const char *s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}
