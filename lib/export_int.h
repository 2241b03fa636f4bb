/*
 * export_int.h — what the export writers share, private to them.
 *
 * lib/export.c holds the export context (struct ex): the output buffer
 * handed to the sink in chunks, the track cache (struct ex_track, one per
 * distinct track, its strings in an arena), the time and text formatting
 * every format uses, and the table of formats.  lib/export_rows.c (CSV,
 * JSON Lines) and lib/export_sql.c (SQL) write their formats with what is
 * declared here.  Callers outside lib/export*.c use export.h only.
 *
 * Error convention: as export.h (0 / -1).  A failure is also recorded in
 * the context (ex->err, or out of memory in ex->out), so a writer may
 * append freely and check once, at the next flush.
 */
#ifndef LN_EXPORT_INT_H
#define LN_EXPORT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "export.h"
#include "idtab.h"
#include "ids.h"

struct store_txn;


/* What a play row shows of its track; strings are offsets into ex->arena. */
struct ex_track {
	char		 album_id[ID_LEN + 1];
	uint32_t	 uri, name, album;	/* arena offsets of strings */
	uint32_t	 artist_ids;	/* n * ID_LEN bytes */
	uint32_t	 artist_names;	/* n NUL-terminated names in a row */
	uint32_t	 n_artists;
	/* JSON Lines: values rendered once (arena offsets and lengths) */
	uint32_t	 jv[6];
	uint32_t	 jl[6];
	uint8_t		 jdone;
};

struct ex {
	struct store_txn		*txn;
	const char			*user;
	const struct export_sink	*sink;
	struct export_stats		 st;
	struct buf			 out;
	int				 err;
	/* track cache */
	struct idtab			 t_ids;
	struct ex_track			*tracks;	/* by index in t_ids */
	size_t				 t_cap;
	struct buf			 arena;
	/* the day part of the last time formatted */
	int64_t				 day_ms;	/* its midnight, or -1 */
	char				 day[12];	/* "YYYY-MM-DDT" */
	/* SQL: statement batching */
	uint32_t			 batch;
	const char			*insert;	/* "INSERT INTO t VALUES" */
	const char			*conflict;	/* suffix or "" */
};

/* The string at arena offset off; valid while ex is. */
static inline const char *
export_get_str(const struct ex *ex, uint32_t off)
{
	return ex->arena.data + off;
}

int	export_flush_out(struct ex *ex);

/* Flushes ex->out once it holds EXPORT_CHUNK bytes.  0, or -1 if ex failed. */
static inline int
export_flush_due(struct ex *ex)
{
	return ex->out.len >= EXPORT_CHUNK ? export_flush_out(ex) :
	    (ex->err ? -1 : 0);
}

void	export_put_text(struct buf *b, const char *s, size_t len, char dup);
const struct ex_track *
	export_get_track(struct ex *ex, const char *id);
void	export_format_time(struct ex *ex, int64_t ms, char out[32]);
void	export_init_ctx(struct ex *ex, struct store_txn *txn,
	    const char *user, const struct export_sink *sink);
int	export_finish_ctx(struct ex *ex, int rc, struct export_stats *stats);
const char *
	export_source_name(uint8_t s);

#endif /* LN_EXPORT_INT_H */
