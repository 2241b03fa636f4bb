/*
 * exportfile.c — the records that make exports finished files: file
 * names, the stamp that says whether the journal changed since a file
 * was built, the build records and the list of exports asked for (see
 * exportfile.h for the layout).  The reader decides with these whether
 * to redirect to a file or answer "preparing"; the collector's export
 * job (collector/job_export.c) builds what is wanted or stale.
 */
#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "exportfile.h"
#include "hash.h"
#include "ids.h"
#include "store.h"

#define EXPORTFILE_META_WANTS	"export.wants"
#define EXPORTFILE_BUILT_LEN	16	/* built_at, stamp: big-endian */
#define EXPORTFILE_WANT_LEN	(USER_ID_MAX + 2)	/* fmt, user, NUL */

uint64_t
exportfile_stamp(const struct user *u)
{
	uint64_t h = hash_bytes(u->id, strlen(u->id));

	h = hash_combine(h, u->n_plays);
	h = hash_combine(h, (uint64_t)u->cursor_ms);
	h = hash_combine(h, (uint64_t)u->last_ok_poll);
	h = hash_combine(h, u->visibility);
	h = hash_combine(h, hash_bytes(u->timezone, strlen(u->timezone)));
	h = hash_combine(h, hash_bytes(u->display_name,
	    strlen(u->display_name)));
	return h;
}

int
exportfile_dir(const char *db_path, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s", db_path, EXPORTFILE_DIR);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
exportfile_name(const char *user, int fmt, char *out, size_t outsz)
{
	int n;

	if (!ids_valid_user(user) || fmt < 0 || fmt >= EXPORT__MAX)
		return -1;
	n = snprintf(out, outsz, "%s.%s", user,
	    export_format_name((enum export_format)fmt));
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
exportfile_parse_name(const char *name, struct exportfile_want *w)
{
	const char *dot = strrchr(name, '.');
	size_t n;
	int fmt;

	if (dot == NULL || (n = (size_t)(dot - name)) == 0 ||
	    n > USER_ID_MAX || (fmt = export_format_parse(dot + 1)) == -1)
		return -1;
	memcpy(w->user, name, n);
	w->user[n] = '\0';
	w->fmt = fmt;
	return ids_valid_user(w->user) ? 0 : -1;
}

int
exportfile_fresh(const struct exportfile_built *b, uint64_t stamp,
    int64_t now, int64_t interval)
{
	return b->stamp == stamp || (now >= b->built_at &&
	    now - b->built_at < interval);
}

/* "export.built.<user>.<fmt>" into out (0 / -1). */
static int
exportfile_meta_name(const char *user, int fmt, char *out, size_t outsz)
{
	char file[EXPORTFILE_NAME_MAX];
	int n;

	if (exportfile_name(user, fmt, file, sizeof(file)) == -1)
		return -1;
	n = snprintf(out, outsz, "export.built.%s", file);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
exportfile_get_built(struct store_txn *txn, const char *user, int fmt,
    struct exportfile_built *out)
{
	unsigned char v[EXPORTFILE_BUILT_LEN];
	char name[EXPORTFILE_NAME_MAX + 16];
	size_t len = sizeof(v);
	int rc;

	if (exportfile_meta_name(user, fmt, name, sizeof(name)) == -1)
		return -1;
	rc = store_get_meta(txn, name, v, &len);
	if (rc == STORE_NOTFOUND)
		return 1;
	if (rc != STORE_OK || len != sizeof(v))
		return -1;
	out->built_at = (int64_t)codec_be64_get(v);
	out->stamp = codec_be64_get(v + 8);
	return 0;
}

int
exportfile_put_built(struct store_txn *txn, const char *user, int fmt,
    const struct exportfile_built *b)
{
	unsigned char v[EXPORTFILE_BUILT_LEN];
	char name[EXPORTFILE_NAME_MAX + 16];

	if (exportfile_meta_name(user, fmt, name, sizeof(name)) == -1)
		return -1;
	codec_be64_put(v, (uint64_t)b->built_at);
	codec_be64_put(v + 8, b->stamp);
	return store_put_meta(txn, name, v, sizeof(v)) == STORE_OK ? 0 : -1;
}

int
exportfile_del_built(struct store_txn *txn, const char *user, int fmt)
{
	char name[EXPORTFILE_NAME_MAX + 16];

	if (exportfile_meta_name(user, fmt, name, sizeof(name)) == -1)
		return -1;
	return store_del_meta(txn, name) == STORE_ERR ? -1 : 0;
}

/* Reads the wants into buf (room for EXPORTFILE_WANTS_MAX); *n of them. */
static int
exportfile_read_wants(struct store_txn *txn, unsigned char *buf, size_t *n)
{
	size_t len = EXPORTFILE_WANTS_MAX * EXPORTFILE_WANT_LEN;
	int rc;

	*n = 0;
	rc = store_get_meta(txn, EXPORTFILE_META_WANTS, buf, &len);
	if (rc == STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	if (len > EXPORTFILE_WANTS_MAX * EXPORTFILE_WANT_LEN ||
	    len % EXPORTFILE_WANT_LEN != 0)
		return 0;	/* not ours to trust: start afresh */
	*n = len / EXPORTFILE_WANT_LEN;
	return 0;
}

int
exportfile_want(struct store_txn *txn, const char *user, int fmt)
{
	unsigned char buf[(EXPORTFILE_WANTS_MAX + 1) * EXPORTFILE_WANT_LEN];
	unsigned char *rec;
	size_t n, i;

	if (!ids_valid_user(user) || fmt < 0 || fmt >= EXPORT__MAX)
		return -1;
	if (exportfile_read_wants(txn, buf, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		rec = buf + i * EXPORTFILE_WANT_LEN;
		if (rec[0] == (unsigned char)fmt &&
		    strcmp((const char *)rec + 1, user) == 0)
			return 0;	/* asked for already */
	}
	rec = buf + n * EXPORTFILE_WANT_LEN;
	memset(rec, 0, EXPORTFILE_WANT_LEN);
	rec[0] = (unsigned char)fmt;
	memcpy(rec + 1, user, strlen(user));
	if (++n > EXPORTFILE_WANTS_MAX) {	/* the oldest goes */
		memmove(buf, buf + EXPORTFILE_WANT_LEN,
		    (n - 1) * EXPORTFILE_WANT_LEN);
		n--;
	}
	return store_put_meta(txn, EXPORTFILE_META_WANTS, buf,
	    n * EXPORTFILE_WANT_LEN) == STORE_OK ? 0 : -1;
}

int
exportfile_take_wants(struct store_txn *txn, struct exportfile_want *out,
    size_t *n)
{
	unsigned char buf[EXPORTFILE_WANTS_MAX * EXPORTFILE_WANT_LEN];
	const unsigned char *rec;
	size_t i, k = 0;

	*n = 0;
	if (exportfile_read_wants(txn, buf, &k) == -1)
		return -1;
	if (k == 0)
		return 0;
	for (i = 0; i < k; i++) {
		rec = buf + i * EXPORTFILE_WANT_LEN;
		if (rec[0] >= EXPORT__MAX ||
		    memchr(rec + 1, '\0', USER_ID_MAX + 1) == NULL ||
		    !ids_valid_user((const char *)rec + 1))
			continue;
		out[*n].fmt = rec[0];
		memcpy(out[*n].user, rec + 1, USER_ID_MAX + 1);
		(*n)++;
	}
	return store_del_meta(txn, EXPORTFILE_META_WANTS) == STORE_ERR ? -1 : 0;
}
