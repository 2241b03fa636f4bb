/*
 * zip.h — a small, defensive reader for the .zip files Spotify sends.
 *
 * Just enough of the format (APPNOTE 6.3) to read the download as it comes:
 * the central directory is read once, entries are "stored" (method 0) or
 * "deflated" (method 8, through zlib's inflate).  Nothing is ever written to
 * disk, so an entry's name is only a label; still, names with ".." or an
 * absolute path are flagged unsafe and directory entries are flagged as
 * such, so callers skip them.
 *
 * Refused with a message: zip64 archives (the downloads do not need them),
 * archives split over several disks, encrypted entries, other methods,
 * entries whose declared size exceeds the caller's cap (zip bombs), data
 * that inflates to more or less than declared, and CRC-32 mismatches.
 * The archive is read with pread(2) in small chunks, and an entry is
 * either read whole into memory (zip_read) or streamed to a file
 * (zip_extract) without ever being held whole.
 *
 * Error convention: 0 on success, -1 with a one-line message for people in
 * the caller's err buffer (the path is not repeated in it).
 */
#ifndef LN_ZIP_H
#define LN_ZIP_H

#include <stddef.h>
#include <stdint.h>

#define ZIP_NAME_MAX	1024	/* longer names are refused */

struct zip;

struct zip_entry {
	char		 name[ZIP_NAME_MAX + 1];	/* as stored, '/' separated */
	uint64_t	 size;		/* uncompressed, as declared */
	uint64_t	 csize;		/* compressed, as declared */
	uint32_t	 crc;
	uint16_t	 method;
	uint16_t	 flags;
	uint64_t	 offset;	/* of the local header */
	uint8_t		 is_dir;	/* name ends in '/' */
	uint8_t		 unsafe;	/* absolute, "..", '\\' or a NUL in it */
};

/*
 * Opens the archive at path and reads its central directory.  On success
 * *zp owns an open descriptor and the entry table; free with zip_close().
 * Returns 0, or -1 with a message in err (not a zip, truncated, zip64,
 * multi-disk, damaged directory).
 */
int	zip_open(struct zip **zp, const char *path, char *err, size_t errsz);
void	zip_close(struct zip *);

/* The number of entries, and the i-th (i < zip_count()); owned by the zip. */
size_t	zip_count(const struct zip *);
const struct zip_entry *zip_entry_at(const struct zip *, size_t i);

/*
 * Reads entry i whole into a new NUL-terminated buffer *data of *len bytes
 * that the caller frees.  An entry declaring more than max bytes is refused
 * before anything is allocated, and inflation stops as soon as the output
 * would exceed the declared size.  Returns 0, or -1 with a message in err.
 */
int	zip_read(struct zip *, size_t i, size_t max, char **data, size_t *len,
	    char *err, size_t errsz);

/*
 * Writes entry i to the open descriptor fd as it is inflated, 64 KiB at a
 * time, with the same checks as zip_read(); nothing of the entry is held
 * in memory.  On failure fd may hold part of it.  Returns 0, or -1 with a
 * message in err.
 */
int	zip_extract(struct zip *, size_t i, size_t max, int fd, char *err,
	    size_t errsz);

/* Whether path names a file that starts like a zip archive (1) or not (0). */
int	zip_sniff(const char *path);

#endif
