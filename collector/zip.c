/*
 * zip.c — reads Spotify's .zip downloads without unzip(1) or libzip.
 *
 * The importer (import.c) hands a downloaded archive straight to this file:
 * the end-of-central-directory record is found in the archive's last
 * 64 KiB, the central directory is read into a table of struct zip_entry,
 * and an entry is read on demand by seeking to its local header and either
 * copying it (stored) or inflating it with zlib (deflated) in 64 KiB input
 * chunks.  Every size and offset read from the archive is checked against
 * the file's real size before it is used, so a damaged or hostile archive
 * gives a message, never an out-of-bounds read or an unbounded allocation.
 * See zip.h for what is refused and why.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "fileio.h"
#include "zip.h"

#define SIG_LOCAL	0x04034b50u
#define SIG_CENTRAL	0x02014b50u
#define SIG_EOCD	0x06054b50u
#define SIG_EOCD64_LOC	0x07064b50u

#define EOCD_LEN	22
#define CENTRAL_LEN	46
#define LOCAL_LEN	30
#define COMMENT_MAX	65535
#define CHUNK		65536
#define CD_MAX		(64u << 20)	/* a central directory larger is refused */

struct zip {
	int			 fd;
	uint64_t		 fsize;
	struct zip_entry	*ents;
	size_t			 n;
};

static uint16_t
rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) |
	    ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Whether a stored name could escape a directory or hide its end. */
static int
zip_name_unsafe(const char *name, size_t len)
{
	size_t i, start = 0;

	if (len == 0 || name[0] == '/' || memchr(name, '\0', len) != NULL ||
	    memchr(name, '\\', len) != NULL)
		return 1;
	if (len >= 2 && name[1] == ':')		/* C:... */
		return 1;
	for (i = 0; i <= len; i++) {
		if (i == len || name[i] == '/') {
			if (i - start == 2 && name[start] == '.' &&
			    name[start + 1] == '.')
				return 1;
			start = i + 1;
		}
	}
	return 0;
}

/* Finds the end-of-central-directory record; fills eocd[EOCD_LEN]. */
static int
zip_find_eocd(struct zip *z, unsigned char *eocd, uint64_t *at, char *err,
    size_t errsz)
{
	unsigned char *tail;
	size_t tlen, i;

	if (z->fsize < EOCD_LEN) {
		snprintf(err, errsz, "too short to be a zip archive");
		return -1;
	}
	tlen = z->fsize < EOCD_LEN + COMMENT_MAX ? (size_t)z->fsize :
	    EOCD_LEN + COMMENT_MAX;
	if ((tail = malloc(tlen)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (fileio_pread_all(z->fd, tail, tlen, z->fsize - tlen) == -1) {
		snprintf(err, errsz, "cannot read: %s", strerror(errno));
		free(tail);
		return -1;
	}
	/* Search backwards; the comment length must reach the file's end. */
	for (i = tlen - EOCD_LEN + 1; i-- > 0;) {
		if (rd32(tail + i) == SIG_EOCD &&
		    i + EOCD_LEN + rd16(tail + i + 20) == tlen) {
			memcpy(eocd, tail + i, EOCD_LEN);
			*at = z->fsize - tlen + i;
			free(tail);
			return 0;
		}
	}
	free(tail);
	snprintf(err, errsz, "not a zip archive (no end of central directory)");
	return -1;
}

/* Parses the central directory of cdsize bytes at cdoff into z->ents. */
static int
zip_read_directory(struct zip *z, uint64_t cdoff, uint64_t cdsize,
    size_t count, char *err, size_t errsz)
{
	unsigned char *cd, *p;
	size_t left, i;
	int rc = -1;

	if ((cd = malloc(cdsize ? cdsize : 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (fileio_pread_all(z->fd, cd, cdsize, cdoff) == -1) {
		snprintf(err, errsz, "truncated central directory");
		goto out;
	}
	if ((z->ents = reallocarray(NULL, count ? count : 1,
	    sizeof(*z->ents))) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	p = cd;
	left = cdsize;
	for (i = 0; i < count; i++) {
		struct zip_entry *e = &z->ents[i];
		size_t nlen, xlen, clen, rec;

		if (left < CENTRAL_LEN || rd32(p) != SIG_CENTRAL) {
			snprintf(err, errsz, "damaged central directory at "
			    "entry %zu", i + 1);
			goto out;
		}
		nlen = rd16(p + 28);
		xlen = rd16(p + 30);
		clen = rd16(p + 32);
		rec = CENTRAL_LEN + nlen + xlen + clen;
		if (rec > left) {
			snprintf(err, errsz, "damaged central directory at "
			    "entry %zu", i + 1);
			goto out;
		}
		memset(e, 0, sizeof(*e));
		e->flags = rd16(p + 8);
		e->method = rd16(p + 10);
		e->crc = rd32(p + 16);
		e->csize = rd32(p + 20);
		e->size = rd32(p + 24);
		e->offset = rd32(p + 42);
		if (e->csize == 0xffffffffu || e->size == 0xffffffffu ||
		    e->offset == 0xffffffffu || rd16(p + 34) == 0xffff) {
			snprintf(err, errsz, "zip64 archives are not supported;"
			    " unpack it and import the folder");
			goto out;
		}
		if (nlen > ZIP_NAME_MAX) {
			snprintf(err, errsz, "entry %zu: name longer than %d "
			    "bytes", i + 1, ZIP_NAME_MAX);
			goto out;
		}
		memcpy(e->name, p + CENTRAL_LEN, nlen);
		e->name[nlen] = '\0';
		e->unsafe = (uint8_t)zip_name_unsafe((const char *)p +
		    CENTRAL_LEN, nlen);
		e->is_dir = nlen > 0 && e->name[nlen - 1] == '/';
		p += rec;
		left -= rec;
	}
	z->n = count;
	rc = 0;
out:
	free(cd);
	return rc;
}

int
zip_open(struct zip **zp, const char *path, char *err, size_t errsz)
{
	struct zip *z;
	struct stat st;
	unsigned char eocd[EOCD_LEN], loc[4];
	uint64_t at, cdoff, cdsize;
	size_t count;

	*zp = NULL;
	if ((z = calloc(1, sizeof(*z))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if ((z->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errsz, "cannot open: %s", strerror(errno));
		free(z);
		return -1;
	}
	if (fstat(z->fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errsz, "not a regular file");
		goto fail;
	}
	z->fsize = (uint64_t)st.st_size;
	if (zip_find_eocd(z, eocd, &at, err, errsz) == -1)
		goto fail;
	if (at >= 20 && fileio_pread_all(z->fd, loc, 4, at - 20) == 0 &&
	    rd32(loc) == SIG_EOCD64_LOC) {
		snprintf(err, errsz, "zip64 archives are not supported; "
		    "unpack it and import the folder");
		goto fail;
	}
	if (rd16(eocd + 4) != 0 || rd16(eocd + 6) != 0 ||
	    rd16(eocd + 8) != rd16(eocd + 10)) {
		snprintf(err, errsz, "archives split over several files are "
		    "not supported");
		goto fail;
	}
	count = rd16(eocd + 10);
	cdsize = rd32(eocd + 12);
	cdoff = rd32(eocd + 16);
	if (count == 0xffff || cdsize == 0xffffffffu ||
	    cdoff == 0xffffffffu) {
		snprintf(err, errsz, "zip64 archives are not supported; "
		    "unpack it and import the folder");
		goto fail;
	}
	if (cdoff + cdsize > at || cdsize > CD_MAX ||
	    (uint64_t)count * CENTRAL_LEN > cdsize) {
		snprintf(err, errsz, "damaged central directory (bounds)");
		goto fail;
	}
	if (zip_read_directory(z, cdoff, cdsize, count, err, errsz) == -1)
		goto fail;
	*zp = z;
	return 0;
fail:
	zip_close(z);
	return -1;
}

void
zip_close(struct zip *z)
{
	if (z == NULL)
		return;
	if (z->fd != -1)
		close(z->fd);
	free(z->ents);
	free(z);
}

size_t
zip_count(const struct zip *z)
{
	return z->n;
}

const struct zip_entry *
zip_entry_at(const struct zip *z, size_t i)
{
	return &z->ents[i];
}

/* Where an entry's bytes go, chunk by chunk. */
typedef int (*zip_out_fn)(void *arg, const unsigned char *p, size_t n);

/*
 * Streams entry e, whose data starts at off, to out in chunks of at most
 * CHUNK bytes: copied when stored, inflated when deflated.  Stops as soon
 * as the output would pass the declared size; checks that it reaches it
 * exactly and that the CRC-32 matches.  Returns 0 or -1 with err.
 */
static int
zip_stream(struct zip *z, const struct zip_entry *e, uint64_t off,
    zip_out_fn out, void *arg, char *err, size_t errsz)
{
	unsigned char *in, *ob;
	z_stream zs;
	uint64_t left = e->csize, total = 0;
	uLong crc = crc32(0L, Z_NULL, 0);
	int zr = Z_OK, rc = -1, inflating = 0;
	size_t n, have;

	in = malloc(CHUNK);
	ob = malloc(CHUNK);
	if (in == NULL || ob == NULL) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (e->method == 0) {
		while (left > 0) {
			n = left < CHUNK ? (size_t)left : CHUNK;
			if (fileio_pread_all(z->fd, in, n, off) == -1) {
				snprintf(err, errsz, "truncated archive");
				goto out;
			}
			off += n;
			left -= n;
			total += n;
			crc = crc32(crc, in, (uInt)n);
			if (out(arg, in, n) == -1) {
				snprintf(err, errsz, "cannot keep the data: %s",
				    strerror(errno));
				goto out;
			}
		}
	} else {
		memset(&zs, 0, sizeof(zs));
		if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
			snprintf(err, errsz, "cannot start inflating");
			goto out;
		}
		inflating = 1;
		while (zr != Z_STREAM_END) {
			if (zs.avail_in == 0) {
				n = left < CHUNK ? (size_t)left : CHUNK;
				if (n == 0) {
					snprintf(err, errsz, "compressed data "
					    "ends early");
					goto out;
				}
				if (fileio_pread_all(z->fd, in, n, off) == -1) {
					snprintf(err, errsz, "truncated archive");
					goto out;
				}
				off += n;
				left -= n;
				zs.next_in = in;
				zs.avail_in = (uInt)n;
			}
			zs.next_out = ob;
			zs.avail_out = CHUNK;
			zr = inflate(&zs, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END) {
				snprintf(err, errsz, "damaged compressed data "
				    "(%s)", zs.msg ? zs.msg : "inflate failed");
				goto out;
			}
			have = CHUNK - zs.avail_out;
			if (total + have > e->size) {
				snprintf(err, errsz, "inflates to more than the "
				    "%llu bytes declared",
				    (unsigned long long)e->size);
				goto out;
			}
			total += have;
			crc = crc32(crc, ob, (uInt)have);
			if (have > 0 && out(arg, ob, have) == -1) {
				snprintf(err, errsz, "cannot keep the data: %s",
				    strerror(errno));
				goto out;
			}
		}
	}
	if (total != e->size) {
		snprintf(err, errsz, "inflates to %llu bytes, %llu declared",
		    (unsigned long long)total, (unsigned long long)e->size);
		goto out;
	}
	if ((uint32_t)crc != e->crc) {
		snprintf(err, errsz, "CRC-32 mismatch: the archive is damaged");
		goto out;
	}
	rc = 0;
out:
	if (inflating)
		inflateEnd(&zs);
	free(in);
	free(ob);
	return rc;
}

/* Checks entry i and finds where its data starts.  0 or -1 with err. */
static int
zip_locate(struct zip *z, size_t i, size_t max, uint64_t *offp, char *err,
    size_t errsz)
{
	const struct zip_entry *e = &z->ents[i];
	unsigned char lh[LOCAL_LEN];
	uint64_t off;

	if (e->flags & 0x0001) {
		snprintf(err, errsz, "encrypted entries are not supported");
		return -1;
	}
	if (e->method != 0 && e->method != 8) {
		snprintf(err, errsz, "compression method %u is not supported",
		    e->method);
		return -1;
	}
	if (e->size > max || e->size >= UINT32_MAX) {
		snprintf(err, errsz, "declares %llu bytes, more than the "
		    "%zu allowed", (unsigned long long)e->size, max);
		return -1;
	}
	if (e->method == 0 && e->csize != e->size) {
		snprintf(err, errsz, "stored entry with two sizes");
		return -1;
	}
	if (e->offset + LOCAL_LEN > z->fsize ||
	    fileio_pread_all(z->fd, lh, LOCAL_LEN, e->offset) == -1 ||
	    rd32(lh) != SIG_LOCAL) {
		snprintf(err, errsz, "damaged local header");
		return -1;
	}
	off = e->offset + LOCAL_LEN + rd16(lh + 26) + rd16(lh + 28);
	if (off > z->fsize || e->csize > z->fsize - off) {
		snprintf(err, errsz, "entry data runs past the archive's end");
		return -1;
	}
	*offp = off;
	return 0;
}

struct zip_membuf {
	unsigned char	*p;
	size_t		 len;
	size_t		 cap;		/* the declared size: never passed */
};

static int
zip_out_mem(void *arg, const unsigned char *p, size_t n)
{
	struct zip_membuf *m = arg;

	if (n > m->cap - m->len) {
		errno = EFBIG;
		return -1;
	}
	memcpy(m->p + m->len, p, n);
	m->len += n;
	return 0;
}

int
zip_read(struct zip *z, size_t i, size_t max, char **data, size_t *len,
    char *err, size_t errsz)
{
	struct zip_membuf m;
	uint64_t off;

	*data = NULL;
	*len = 0;
	if (zip_locate(z, i, max, &off, err, errsz) == -1)
		return -1;
	m.cap = (size_t)z->ents[i].size;
	m.len = 0;
	if ((m.p = malloc(m.cap + 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (zip_stream(z, &z->ents[i], off, zip_out_mem, &m, err, errsz) ==
	    -1) {
		free(m.p);
		return -1;
	}
	m.p[m.len] = '\0';
	*data = (char *)m.p;
	*len = m.len;
	return 0;
}

static int
zip_out_fd(void *arg, const unsigned char *p, size_t n)
{
	return fileio_write_all(*(int *)arg, p, n);
}

int
zip_extract(struct zip *z, size_t i, size_t max, int fd, char *err,
    size_t errsz)
{
	uint64_t off;

	if (zip_locate(z, i, max, &off, err, errsz) == -1)
		return -1;
	return zip_stream(z, &z->ents[i], off, zip_out_fd, &fd, err, errsz);
}

int
zip_sniff(const char *path)
{
	unsigned char sig[4];
	int fd, ok;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	ok = fileio_pread_all(fd, sig, 4, 0) == 0 &&
	    (rd32(sig) == SIG_LOCAL || rd32(sig) == SIG_EOCD);
	close(fd);
	return ok;
}
