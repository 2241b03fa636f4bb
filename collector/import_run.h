/*
 * import_run.h — what the import command's two files share (private to
 * collector/): the run's state and its work list.
 *
 * import_list.c finds the history files a run was given (a file, a folder
 * searched recursively, the .zip download, an upload's spool file),
 * refuses archives it will not read, orders the files (extended history
 * first, then files whose kind only their content tells, then account
 * data) and maps one file's bytes at a time; import.c imports each file
 * in a transaction of its own (import.h has the whole picture).
 *
 * Error convention: 0 / -1; import_list_map() writes a message for
 * people into err.
 */
#ifndef LN_IMPORT_RUN_H
#define LN_IMPORT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "import.h"
#include "import_match.h"

#define IMPORT_FILE_MAX	((size_t)256 << 20)	/* bytes of one history file */
#define LABEL_MAX	512

struct store;
struct zip;

struct item {
	char		 label[LABEL_MAX];	/* escaped, for messages */
	char		*path;		/* file, or the zip's path */
	int		 zip;		/* index into run->zips, or -1 */
	size_t		 entry;		/* the zip entry */
	enum import_kind kind;
	int		 order;		/* 0 extended, 1 unknown, 2 account */
	size_t		 seq;		/* discovery order, for stable sorting */
};

struct run {
	struct store	*st;		/* open while a file is imported */
	const char	*dbpath;
	const char	*user;
	int64_t		 min_play_ms;
	struct item	*items;
	size_t		 n_items;
	struct zip	**zips;
	size_t		 n_zips;
	struct nameidx	 names;
	int		 names_built;
	struct i64set	 known;		/* hashes of track ids known to exist */
	struct i64set	 ents;		/* of artists, albums with their name */
	/* totals */
	uint64_t	 files_ok, files_failed, files_ignored, files_empty;
	uint64_t	 records, imported, present, refined;
	uint64_t	 skipped[SKIP__MAX];
	int		 user_created;
	int		 bad_paths;
	/* --job: an upload's import (import_job.h) */
	uint32_t	 job;		/* 0: the command line's */
	const char	*display;	/* the upload's name, for labels */
	char		 fail[256];	/* why the upload was refused */
};

/*
 * Adds path to the run: a history file, a folder (its history files), or
 * a .zip (its entries, after the archive's checks).  A path that cannot
 * be used is logged and counted in r->bad_paths.  Returns 0, or -1 when
 * memory ran out.
 */
int	import_list_add(struct run *r, const char *path);
/* Orders the work list: the kinds' order, then by label, then as found. */
void	import_list_sort(struct run *r);
/*
 * Maps the item's bytes read-only into *data (*len bytes); release them
 * with import_list_unmap().  Returns 0, or -1 with err.
 */
int	import_list_map(struct run *r, const struct item *it,
	    const char **data, size_t *len, char *err, size_t errsz);
void	import_list_unmap(const char *data, size_t len);
/* Frees the work list and closes the archives. */
void	import_list_free(struct run *r);

#endif /* LN_IMPORT_RUN_H */
