/*
 * fileio.h — reading and writing files in exact pieces.
 *
 * A read(2) or write(2) may move fewer bytes than asked or fail with
 * EINTR; the readers of binary files (tz.c's TZif files, the collector's
 * zip archives) need exactly the bytes they ask for, and the zip
 * extractor must write all it unpacked, so those loops are written once,
 * here.
 *
 * Error convention: 0 or -1 (errno as the call left it; a short file is
 * -1 too).
 */
#ifndef LN_FILEIO_H
#define LN_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/* Reads exactly n bytes of fd at offset off into p.  0, or -1. */
int	fileio_pread_all(int fd, void *p, size_t n, uint64_t off);
/* Writes all n bytes at p to fd.  0, or -1. */
int	fileio_write_all(int fd, const void *p, size_t n);

#endif
