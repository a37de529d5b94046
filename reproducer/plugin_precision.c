/*
 * libplugin_precision.so: plugin code for host_precision's edge, thread
 * and sighandler cases.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((noinline)) void plugin_edge_target(void)
{
}

/* 24 bytes: a 32-byte chunk whose last usable word, at offset 16, is
   the next chunk's prev_size field. */
void **plugin_make_edge(void)
{
	void **block = malloc(24);

	memset(block, 0, 24);
	block[2] = (void *)plugin_edge_target;
	return block;
}

void plugin_nap(void)
{
	usleep(300000);
}

/* The same, but with no return address to find when usleep returns into
   it after the unload: a zero word at the top of the stack and rbp
   cleared, as code without frame pointers may leave them. */
void plugin_nap_noframe(void)
{
	__asm__ volatile("push %%rbp\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "push $0\n\t"
			 "mov $300000, %%edi\n\t"
			 "call usleep@PLT\n\t"
			 "pop %%rax\n\t"
			 "pop %%rbp"
			 ::: "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
			 "memory", "cc");
}

static void plugin_handler(int sig)
{
	(void)sig;
}

void plugin_install_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = plugin_handler;
	sigaction(SIGUSR1, &sa, NULL);
}
