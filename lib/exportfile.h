/*
 * exportfile.h — exports as finished files: where they live, when one is
 * fresh, and the requests for them, shared by the reader (which only
 * checks and redirects) and the collector (which builds them).
 *
 * A user's export in a format is the file EXPORTS_DIR/<user>.<fmt> under
 * the store's directory (db_path/exports), written under a temporary
 * name and renamed into place when complete.  Beside it in the store:
 *  - meta "export.built.<user>.<fmt>": when the file was built and the
 *    journal's stamp it was built from (struct exportfile_built);
 *  - meta "export.wants": the exports asked for and not built yet, at
 *    most EXPORTFILE_WANTS_MAX (the oldest goes when full).
 * A file is fresh when it exists and was built from the journal as it is
 * now, or less than export_interval seconds ago.
 *
 * Error convention: 0 / -1; exportfile_get_built() returns 1 when there
 * is no record.
 */
#ifndef LN_EXPORTFILE_H
#define LN_EXPORTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "schema.h"

struct store_txn;

#define EXPORTFILE_DIR		"exports"	/* under db_path */
#define EXPORTFILE_WANTS_MAX	64
#define EXPORTFILE_NAME_MAX	(USER_ID_MAX + 8)	/* "<user>.<fmt>" + NUL */

struct exportfile_built {
	int64_t		built_at;	/* Unix s the build started */
	uint64_t	stamp;		/* exportfile_stamp() it was built from */
};

struct exportfile_want {
	char		 user[USER_ID_MAX + 1];
	int		 fmt;		/* enum export_format */
};

/*
 * The journal's stamp: a hash of what changes when the export would (the
 * number of plays, the newest play from the API, the last successful
 * poll, which stores top lists and playlists, and the exported settings).
 * A poll that stored nothing changes it too: a rebuild that was not
 * needed, bounded by export_interval.
 */
uint64_t exportfile_stamp(const struct user *u);
/* Writes "<db_path>/exports" into out (0, or -1 when it does not fit). */
int	exportfile_dir(const char *db_path, char *out, size_t outsz);
/*
 * Writes the file name "<user>.<fmt>" into out (at least
 * EXPORTFILE_NAME_MAX bytes).  Returns 0, or -1 for a bad user or format.
 */
int	exportfile_name(const char *user, int fmt, char *out, size_t outsz);
/*
 * Parses a file name of exportfile_name() back into *w (0), or -1 when it
 * is not one (a temporary file, anything else).
 */
int	exportfile_parse_name(const char *name, struct exportfile_want *w);
/* Whether a file built as b is fresh for stamp at now (1 or 0). */
int	exportfile_fresh(const struct exportfile_built *b, uint64_t stamp,
	    int64_t now, int64_t interval);

/* Reads the build record of user's fmt: 0, 1 when none, -1 on error. */
int	exportfile_get_built(struct store_txn *, const char *user, int fmt,
	    struct exportfile_built *out);
/* Writes it (write transaction; 0 or -1). */
int	exportfile_put_built(struct store_txn *, const char *user, int fmt,
	    const struct exportfile_built *b);
/* Deletes it, absent or not (write transaction; 0 or -1). */
int	exportfile_del_built(struct store_txn *, const char *user, int fmt);

/*
 * Asks for user's fmt to be built (write transaction): added to the
 * wants unless already there.  Returns 0 or -1.
 */
int	exportfile_want(struct store_txn *, const char *user, int fmt);
/*
 * Moves every want into out (room for EXPORTFILE_WANTS_MAX) and clears
 * them (write transaction).  *n receives how many.  Returns 0 or -1.
 */
int	exportfile_take_wants(struct store_txn *, struct exportfile_want *out,
	    size_t *n);

#endif
