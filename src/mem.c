#include "config.h"
#include "mem.h"

#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

/* process_vm_readv fails on the whole range when one page is unmapped;
   a word-wise PTRACE_PEEKDATA fallback then reads what it can. */
static size_t
peek_partial(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		uint64_t word_addr = (addr + done) & ~7ULL;
		size_t skip = (addr + done) - word_addr;
		errno = 0;
		long word = ptrace(PTRACE_PEEKDATA, pid, (void *)word_addr, NULL);
		if (errno)
			break;
		size_t n = sizeof(word) - skip;
		if (n > len - done)
			n = len - done;
		memcpy((char *)buf + done, (char *)&word + skip, n);
		done += n;
	}
	return done;
}

size_t
mem_read_partial(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)addr, len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return len;
	if (n < 0)
		n = 0;
	return n + peek_partial(pid, addr + n, (char *)buf + n, len - n);
}

bool
mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	return mem_read_partial(pid, addr, buf, len) == len;
}

bool
mem_read_u64(pid_t pid, uint64_t addr, uint64_t *val)
{
	return mem_read(pid, addr, val, sizeof(*val));
}

size_t
mem_read_pieces(pid_t pid, const uint64_t *addrs, size_t n, size_t len, void *bufs)
{
	enum { BATCH = 256 };
	struct iovec local[BATCH], remote[BATCH];
	size_t done = 0;
	while (done < n) {
		size_t k = n - done < BATCH ? n - done : BATCH;
		for (size_t i = 0; i < k; i++) {
			local[i].iov_base = (char *)bufs + (done + i) * len;
			local[i].iov_len = len;
			remote[i].iov_base = (void *)(uintptr_t)addrs[done + i];
			remote[i].iov_len = len;
		}
		/* The kernel stops at the first piece it cannot read. */
		ssize_t got = process_vm_readv(pid, local, k, remote, k, 0);
		size_t whole = got > 0 ? (size_t)got / len : 0;
		done += whole;
		if (whole < k)
			break;
	}
	return done;
}

bool
mem_read_string(pid_t pid, uint64_t addr, char *buf, size_t max)
{
	if (max == 0)
		return false;
	size_t got = 0;
	/* Read in small chunks so a short string near the end of a mapping
	   is not lost to an unreadable page after it. */
	while (got < max) {
		size_t chunk = 256 - ((addr + got) & 255);
		if (chunk > max - got)
			chunk = max - got;
		size_t n = mem_read_partial(pid, addr + got, buf + got, chunk);
		void *nul = memchr(buf + got, '\0', n);
		if (nul)
			return true;
		got += n;
		if (n < chunk)
			break;
	}
	buf[max - 1] = '\0';
	return false;
}

bool
mem_poke_byte(pid_t pid, uint64_t addr, uint8_t byte, uint8_t *old)
{
	errno = 0;
	long word = ptrace(PTRACE_PEEKTEXT, pid, (void *)addr, NULL);
	if (errno)
		return false;
	if (old)
		*old = (uint8_t)(word & 0xff);
	word = (word & ~0xffL) | byte;
	return ptrace(PTRACE_POKETEXT, pid, (void *)addr, (void *)word) == 0;
}
