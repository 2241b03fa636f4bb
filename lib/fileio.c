/*
 * fileio.c — exact reads and writes, retried across EINTR (see fileio.h).
 */
#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include "fileio.h"

/*
 * The one loop: moves n bytes between fd and p (pread at off when rd,
 * else write at fd's position) until done, EOF or an error.  0 or -1.
 */
static int
fileio_all(int fd, unsigned char *p, size_t n, uint64_t off, int rd)
{
	ssize_t r;

	while (n > 0) {
		r = rd ? pread(fd, p, n, (off_t)off) : write(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

int
fileio_pread_all(int fd, void *p, size_t n, uint64_t off)
{
	return fileio_all(fd, p, n, off, 1);
}

int
fileio_write_all(int fd, const void *p, size_t n)
{
	/* write(2) only reads p: the cast never leads to a store. */
	return fileio_all(fd, (unsigned char *)(uintptr_t)p, n, 0, 0);
}
