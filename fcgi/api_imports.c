/*
 * api_imports.c — the owner's imports of Spotify's history:
 * POST /api/v0/imports, GET /api/v0/imports, GET and DELETE
 * /api/v0/imports/:import.
 *
 * The reader never holds an upload.  nginx writes the body to a file of
 * its own under db_path/spool/incoming (client_body_in_file_only, the
 * size limit import_max_bytes) and passes its path as the FastCGI
 * parameter LINERNOTES_BODY_FILE, never the body.  Here, after the
 * same-origin rule: the session (401), Content-Length (411, 413), the
 * media type and the first bytes (415), then, in one write transaction,
 * the spool caps (429 for the user, 503 for everyone), the next id, a
 * hard link of nginx's file to db_path/spool/<user>.<id> (the same file
 * system: no byte is copied; nginx removes its own name after the
 * answer) and the job, queued.  The collector runs it
 * (collector/job_import.c).  Jobs are the signed-in owner's only: any
 * other id is 404, as for every private resource.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "session.h"
#include "timeutil.h"
#include "valid.h"

#define IMPORTS_SPOOL	"spool"		/* under db_path */
#define IMPORTS_INCOMING "incoming"	/* nginx's files, under the spool */
#define IMPORTS_RETRY_S	"60"		/* Retry-After of a full spool */
#define IMPORTS_LINK_TRIES 4

/* ---- rendering ----------------------------------------------------------- */

static void
imports_render(struct json *j, const char *key, const struct import_job *b)
{
	const struct import_file *f;
	uint8_t i;

	json_obj_open(j, key);
	json_uint(j, "id", b->id);
	json_str(j, "status", SCHEMA_WORD(schema_import_statuses, b->status));
	json_time_ms(j, "created_at", "created_at_iso", b->created_at);
	json_time_ms(j, "updated_at", "updated_at_iso", b->updated_at);
	json_str(j, "file_name", b->file_name);
	json_str(j, "media_type", SCHEMA_WORD(schema_import_media, b->media));
	json_uint(j, "bytes", b->bytes);
	if (b->reason[0] != '\0')
		json_str(j, "reason", b->reason);
	else
		json_null(j, "reason");
	json_obj_open(j, "progress");
	json_uint(j, "files_total", b->files_total);
	json_uint(j, "files_done", b->files_done);
	json_uint(j, "files_failed", b->files_failed);
	json_uint(j, "records", b->records);
	json_uint(j, "plays_added", b->added);
	json_uint(j, "duplicates", b->duplicates);
	json_uint(j, "skipped_podcast", b->skipped_podcast);
	json_uint(j, "skipped_audiobook", b->skipped_audiobook);
	json_uint(j, "skipped_other", b->skipped_other);
	json_uint(j, "plays_removed", b->removed);
	json_obj_close(j);
	json_arr_open(j, "files");
	for (i = 0; i < b->n_files; i++) {
		f = &b->files[i];
		json_obj_open(j, NULL);
		json_str(j, "name", f->name);
		json_str(j, "status", f->ok ? "imported" : "failed");
		json_uint(j, "records", f->records);
		json_uint(j, "plays_added", f->added);
		json_uint(j, "duplicates", f->duplicates);
		json_uint(j, "skipped", f->skipped);
		if (f->ok)
			json_null(j, "error");
		else
			json_str(j, "error", f->error);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

/* {"import": job} as the answer (0 / -1). */
static int
imports_answer(struct resp *r, const struct import_job *b)
{
	struct json j;

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	imports_render(&j, "import", b);
	json_obj_close(&j);
	return json_finish(&j) == -1 ? -1 : 0;
}

/* The signed-in user into who, or -1 after answering 401 / 503. */
static int
imports_who(struct ctx *c, struct resp *r, char who[USER_ID_MAX + 1])
{
	if (store_read_begin(c->app->txn) != STORE_OK)
		return http_error(r, 503, "the store cannot be read right now");
	if (session_viewer(c) == NULL) {
		store_read_end(c->app->txn);
		return http_error(r, 401, "not signed in");
	}
	(void)strlcpy(who, c->viewer, USER_ID_MAX + 1);
	store_read_end(c->app->txn);
	return 0;
}

/* ---- GET ----------------------------------------------------------------- */

static int
imports_list_fn(const struct import_job *b, void *arg)
{
	imports_render(arg, NULL, b);
	return 0;
}

int
api_imports_list(struct ctx *c, struct resp *r)
{
	const char *who;
	struct json j;

	if ((who = session_viewer(c)) == NULL)
		return http_error(r, 401, "not signed in");
	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_arr_open(&j, "imports");
	if (store_iter_imports(c->app->txn, who, STORE_DESC, imports_list_fn,
	    &j) != STORE_OK)
		return http_error(r, 500, "the imports could not be read");
	json_arr_close(&j);
	json_obj_close(&j);
	return json_finish(&j) == -1 ? -1 : 0;
}

int
api_imports_get(struct ctx *c, struct resp *r)
{
	struct import_job *b;
	const char *who;
	int rc;

	if ((who = session_viewer(c)) == NULL)
		return http_error(r, 401, "not signed in");
	if ((b = malloc(sizeof(*b))) == NULL)
		return http_error(r, 500, "out of memory");
	rc = store_get_import(c->app->txn, who, c->a.import_id, b);
	if (rc == STORE_OK)
		rc = imports_answer(r, b);
	else if (rc == STORE_NOTFOUND)
		rc = http_error(r, 404, "no such import");
	else
		rc = http_error(r, 500, "the import could not be read");
	free(b);
	return rc;
}

/* ---- POST ---------------------------------------------------------------- */

static int
imports_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

struct imports_new {
	const char	*db_path;
	const char	*body_file;
	struct stat	 body_sb;
	uint64_t	 cap_user, cap_total;
	uint64_t	 held_user, held_total;	/* bytes of jobs not begun */
	int		 refused;	/* 429 / 503, or 0 */
	char		 spool[1200];	/* the job's file, once linked */
	struct import_job *job;		/* filled but for id and times */
};

static int
imports_held_fn(const struct import_job *b, void *arg)
{
	struct imports_new *n = arg;

	if (b->status != IMPORT_QUEUED && b->status != IMPORT_IMPORTING)
		return 0;
	n->held_total += b->bytes;
	if (strcmp(b->user, n->job->user) == 0)
		n->held_user += b->bytes;
	return 0;
}

/* Links the body to n->spool; an orphan under that name goes (0 / -1). */
static int
imports_link(struct imports_new *n)
{
	struct stat sb;
	int i;

	for (i = 0; i < IMPORTS_LINK_TRIES; i++) {
		if (link(n->body_file, n->spool) == 0)
			return 0;
		if (errno != EEXIST)
			break;
		/* Ours already (the transaction ran again), or an orphan. */
		if (stat(n->spool, &sb) == 0 && sb.st_ino == n->body_sb.st_ino &&
		    sb.st_dev == n->body_sb.st_dev)
			return 0;
		if (unlink(n->spool) == -1 && errno != ENOENT)
			break;
	}
	log_warn("imports: link %s", n->spool);
	n->spool[0] = '\0';
	return -1;
}

static int
imports_new_fn(struct store_txn *txn, void *arg)
{
	struct imports_new *n = arg;
	uint32_t last;

	n->held_user = n->held_total = 0;
	n->refused = 0;
	if (store_iter_imports(txn, NULL, STORE_ASC, imports_held_fn, n) !=
	    STORE_OK)
		return -1;
	if (n->held_user + n->job->bytes > n->cap_user) {
		n->refused = 429;
		return 0;
	}
	if (n->held_total + n->job->bytes > n->cap_total) {
		n->refused = 503;
		return 0;
	}
	if (store_last_import_id(txn, n->job->user, &last) != STORE_OK ||
	    last == UINT32_MAX)
		return -1;
	n->job->id = last + 1;
	if ((size_t)snprintf(n->spool, sizeof(n->spool), "%s/%s/%s.%u",
	    n->db_path, IMPORTS_SPOOL, n->job->user, n->job->id) >=
	    sizeof(n->spool) || imports_link(n) == -1)
		return -1;
	n->job->created_at = n->job->updated_at = time_now_ms();
	return store_put_import(txn, n->job) == STORE_OK ? 0 : -1;
}

/*
 * The name the upload goes by: X-Filename percent-decoded (a browser
 * sends encodeURIComponent of it), its last path component, control
 * characters dropped, at most IMPORT_NAME_MAX bytes; "upload" when none.
 */
static void
imports_file_name(const char *h, char *out, size_t outsz)
{
	char dec[IMPORT_NAME_MAX * 3 + 1];
	const char *base;
	size_t i, o = 0, n = h != NULL ? strlen(h) : 0;
	int hi, lo;

	for (i = 0; i < n && o + 1 < sizeof(dec); i++) {
		if (h[i] == '%' && i + 2 < n &&
		    (hi = imports_hex(h[i + 1])) != -1 &&
		    (lo = imports_hex(h[i + 2])) != -1) {
			dec[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else
			dec[o++] = h[i];
	}
	dec[o] = '\0';
	base = dec;
	for (i = 0; i < o; i++)
		if (dec[i] == '/' || dec[i] == '\\')
			base = dec + i + 1;
	o = 0;
	for (; *base != '\0' && o + 1 < outsz && o < IMPORT_NAME_MAX; base++)
		if ((unsigned char)*base >= 0x20 && *base != 0x7f)
			out[o++] = *base;
	/* A cut UTF-8 sequence at the end goes whole. */
	while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
		o--;
	if (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0xc0)
		o--;
	out[o] = '\0';
	if (o == 0)
		(void)strlcpy(out, "upload", outsz);
}

/*
 * Whether the file starts as its media type says: "PK\3\4" (or an empty
 * archive's "PK\5\6") for a zip, '[' or '{' after white space for JSON.
 */
static int
imports_sniff(const char *path, int media)
{
	unsigned char b[64];
	ssize_t n, i;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, b, sizeof(b));
	close(fd);
	if (n <= 0)
		return 0;
	if (media == IMPORT_MEDIA_ZIP)
		return n >= 4 && b[0] == 'P' && b[1] == 'K' &&
		    ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6));
	if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		i = 3;		/* a byte order mark */
	else
		i = 0;
	for (; i < n; i++)
		if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n')
			return b[i] == '[' || b[i] == '{';
	return 0;
}

int
api_imports_post(struct ctx *c, struct resp *r)
{
	const struct req *rq = c->req;
	const struct config *cfg = c->app->cfg;
	struct imports_new n;
	char incoming[1100], loc[64];
	long long clen, max = config_num(cfg, CFG_IMPORT_MAX_BYTES);
	size_t plen;
	int media, rc;

	memset(&n, 0, sizeof(n));
	if ((n.job = calloc(1, sizeof(*n.job))) == NULL)
		return http_error(r, 500, "out of memory");
	if (imports_who(c, r, n.job->user) == -1)
		goto free_job;
	if (valid_media_type(rq->content_type, "application/zip") ||
	    valid_media_type(rq->content_type, "application/x-zip-compressed"))
		media = IMPORT_MEDIA_ZIP;
	else if (valid_media_type(rq->content_type, "application/json"))
		media = IMPORT_MEDIA_JSON;
	else {
		http_error(r, 415, "the body must be the .zip Spotify sent "
		    "(application/zip) or one of its JSON files "
		    "(application/json)");
		goto free_job;
	}
	if (rq->content_length == NULL || *rq->content_length == '\0') {
		http_error(r, 411, "Content-Length is required");
		goto free_job;
	}
	if (valid_int(rq->content_length, 0, 1LL << 40, &clen) == -1) {
		http_error(r, 400, "bad Content-Length");
		goto free_job;
	}
	if (clen > max) {
		http_error(r, 413, "the file is larger than this site takes");
		goto free_job;
	}
	if (clen == 0) {
		http_error(r, 400, "the file is empty");
		goto free_job;
	}
	n.db_path = config_str(cfg, CFG_DB_PATH);
	n.body_file = rq->body_file != NULL ? rq->body_file : "";
	/* Only nginx's own file under the spool: never a path elsewhere. */
	if ((size_t)snprintf(incoming, sizeof(incoming), "%s/%s/%s/",
	    n.db_path, IMPORTS_SPOOL, IMPORTS_INCOMING) >= sizeof(incoming) ||
	    strncmp(n.body_file, incoming, (plen = strlen(incoming))) != 0 ||
	    strstr(n.body_file + plen, "..") != NULL) {
		log_warnx("imports: no body file under %s: is nginx's import "
		    "location configured (nginx/linernotes.conf.in)?",
		    incoming);
		http_error(r, 500, "the upload could not be received");
		goto free_job;
	}
	if (lstat(n.body_file, &n.body_sb) == -1 ||
	    !S_ISREG(n.body_sb.st_mode) ||
	    (long long)n.body_sb.st_size != clen) {
		http_error(r, 400, "the body is shorter than announced");
		goto free_job;
	}
	if (!imports_sniff(n.body_file, media)) {
		http_error(r, 415, media == IMPORT_MEDIA_ZIP ?
		    "the file is not a zip archive" :
		    "the file is not JSON (a Spotify history file is a JSON "
		    "array)");
		goto free_job;
	}
	n.job->status = IMPORT_QUEUED;
	n.job->media = (uint8_t)media;
	n.job->bytes = (uint64_t)clen;
	n.job->undo_cursor = INT64_MIN;
	imports_file_name(rq->filename, n.job->file_name,
	    sizeof(n.job->file_name));
	n.cap_user = (uint64_t)config_num(cfg, CFG_IMPORT_SPOOL_USER);
	n.cap_total = (uint64_t)config_num(cfg, CFG_IMPORT_SPOOL_TOTAL);
	(void)snprintf(incoming, sizeof(incoming), "%s/%s", n.db_path,
	    IMPORTS_SPOOL);
	if (mkdir(incoming, 0750) == -1 && errno != EEXIST)
		log_warn("imports: %s", incoming);
	rc = store_write(c->app->store, imports_new_fn, &n);
	if (rc != STORE_OK) {
		if (n.spool[0] != '\0')
			(void)unlink(n.spool);
		http_error(r, 503, "the upload could not be kept; try again");
		goto free_job;
	}
	if (n.refused != 0) {
		http_error(r, n.refused, n.refused == 429 ?
		    "your earlier uploads are still waiting to be imported; "
		    "try again when they are done" :
		    "this site has too many uploads waiting; try again later");
		(void)http_header(r, "Retry-After", IMPORTS_RETRY_S);
		goto free_job;
	}
	log_info("imports: %s uploaded %llu bytes (job %u)", n.job->user,
	    (unsigned long long)n.job->bytes, n.job->id);
	r->status = 202;
	snprintf(loc, sizeof(loc), "/api/v0/imports/%u", n.job->id);
	if (http_header(r, "Location", loc) == -1 ||
	    imports_answer(r, n.job) == -1)
		http_error(r, 500, "the answer could not be written");
free_job:
	free(n.job);
	return 0;
}

/* ---- DELETE: undo -------------------------------------------------------- */

struct imports_undo {
	const char	*user;
	uint32_t	 id;
	int		 found;
	int		 refused;	/* not finished: 409 */
	struct import_job *job;
};

static int
imports_undo_fn(struct store_txn *txn, void *arg)
{
	struct imports_undo *u = arg;
	int rc;

	u->found = u->refused = 0;
	if ((rc = store_get_import(txn, u->user, u->id, u->job)) ==
	    STORE_NOTFOUND)
		return 0;
	if (rc != STORE_OK)
		return -1;
	u->found = 1;
	if (u->job->status == IMPORT_UNDOING)
		return 0;	/* asked twice: the same answer */
	if (u->job->status != IMPORT_DONE && u->job->status != IMPORT_FAILED) {
		u->refused = 1;
		return 0;
	}
	u->job->status = IMPORT_UNDOING;
	u->job->undo_cursor = INT64_MIN;
	u->job->removed = 0;
	u->job->updated_at = time_now_ms();
	return store_put_import(txn, u->job) == STORE_OK ? 0 : -1;
}

int
api_imports_undo(struct ctx *c, struct resp *r)
{
	struct imports_undo u;
	char who[USER_ID_MAX + 1];

	if (imports_who(c, r, who) == -1)
		return -1;
	memset(&u, 0, sizeof(u));
	u.user = who;
	u.id = c->a.import_id;
	if ((u.job = malloc(sizeof(*u.job))) == NULL)
		return http_error(r, 500, "out of memory");
	if (store_write(c->app->store, imports_undo_fn, &u) != STORE_OK)
		http_error(r, 503, "the undo could not be recorded; try again");
	else if (!u.found)
		http_error(r, 404, "no such import");
	else if (u.refused)
		http_error(r, 409, u.job->status == IMPORT_UNDONE ?
		    "this import is undone already" :
		    "only a finished import can be undone; wait until it is "
		    "done");
	else {
		r->status = 202;
		if (imports_answer(r, u.job) == -1)
			http_error(r, 500, "the answer could not be written");
	}
	free(u.job);
	return 0;
}
