/*
 * libplugin_ctor.so: a plugin whose constructor does, inside the dlopen
 * that loads it, what a plugin's set-up code may do.  The mode comes from
 * the environment (CTOR_MODE), set by host_ctor:
 *
 *   crash   write through a null pointer (in ctor_fault)
 *   unmap   map a page, unmap it, and leave its address in ctor_page
 *           (ctor_unmap): the host reads it after dlopen returns
 *   nested  dlopen and dlclose CTOR_SMALL (ctor_nested)
 *   fork    fork; the child converts text with iconv, which has glibc load
 *           a conversion module without dlopen, and _exits; the parent
 *           waits and keeps the child's status in ctor_child_status
 *   exit    exit(4)
 *   clean   nothing
 *
 * And ctor_close_self(handle), for host_ctor self: dlclose its own handle,
 * then return into its caller, code that is gone by then.
 */
#include <dlfcn.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

void *ctor_page;
int ctor_child_status = -1;
int *volatile ctor_null;

static __attribute__((noinline)) void ctor_fault(void)
{
	*ctor_null = 1;
}

static __attribute__((noinline)) void ctor_unmap(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	p[0] = 1;
	munmap(p, page);
	ctor_page = p;
}

static __attribute__((noinline)) void ctor_nested(void)
{
	const char *small = getenv("CTOR_SMALL");
	void *h = small ? dlopen(small, RTLD_NOW | RTLD_LOCAL) : NULL;

	if (h)
		dlclose(h);
}

static __attribute__((noinline)) void ctor_fork(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		iconv_t cd = iconv_open("UTF-16", "ISO-8859-2");
		_exit(cd == (iconv_t)-1 ? 1 : 0);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		ctor_child_status = WEXITSTATUS(status);
}

void ctor_close_self(void *handle);

__attribute__((noinline)) void ctor_close_self(void *handle)
{
	dlclose(handle);
}

__attribute__((constructor)) static void ctor(void)
{
	const char *mode = getenv("CTOR_MODE");

	if (!mode)
		return;
	if (strcmp(mode, "crash") == 0)
		ctor_fault();
	else if (strcmp(mode, "unmap") == 0)
		ctor_unmap();
	else if (strcmp(mode, "nested") == 0)
		ctor_nested();
	else if (strcmp(mode, "fork") == 0)
		ctor_fork();
	else if (strcmp(mode, "exit") == 0)
		exit(4);
}
