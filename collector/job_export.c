/*
 * job_export.c — the collector's export job: exports as finished files.
 *
 * The reader answers an export with a file from db_path/exports, or with
 * 202 while it asks for one (meta "export.wants"; lib/exportfile.h).  This
 * job, run by the daemon between polls, builds them: each build is the
 * unchanged `export` command (`linernotes-history`, which the collector
 * execs for it) started as a child process with -o the final name, so
 * the file is written under a temporary name and renamed into place only
 * when complete; the daemon's loop never waits for it.  One build runs at
 * a time.  When it succeeds the job records when it started and the
 * journal's stamp it started from (export.built.<user>.<fmt>).
 *
 * Every JOB_EXPORT_SWEEP_S the folder is swept: a file whose journal
 * changed since it was built is rebuilt once export_interval has passed
 * since its build; the files (and records) of a user that no longer
 * exists are removed; a temporary file left by a build that was killed
 * is removed after an hour.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "exportfile.h"
#include "job_export.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"

#define JOB_EXPORT_TAKE_MS	1000	/* wants read this often */
#define JOB_EXPORT_SWEEP_S	10	/* the folder swept this often */
#define JOB_EXPORT_QUEUE	(EXPORTFILE_WANTS_MAX * 2)
#define JOB_EXPORT_TMP_AGE	3600	/* s before a stray temp file goes */

struct job_export {
	struct store		*st;
	char			 db_path[1024];
	char			 dir[1100];
	pid_t			 child;		/* the build running, or 0 */
	struct exportfile_want	 cur;		/* what it builds */
	struct exportfile_built	 cur_b;		/* from when and what */
	struct exportfile_want	 queue[JOB_EXPORT_QUEUE];
	size_t			 nq;
	int64_t			 last_take_ms;
	int64_t			 last_sweep;
};

/* What one read of a user says about one of its exports. */
struct job_export_look {
	const char		*user;
	int			 fmt;
	int			 exists;	/* the user exists */
	uint64_t		 stamp;
	int			 has_built;
	struct exportfile_built	 built;
};

struct job_export *
job_export_new(const struct config *cfg, struct store *st)
{
	struct job_export *je;

	if ((je = calloc(1, sizeof(*je))) == NULL)
		return NULL;
	je->st = st;
	if (strlcpy(je->db_path, config_str(cfg, CFG_DB_PATH),
	    sizeof(je->db_path)) >= sizeof(je->db_path) ||
	    exportfile_dir(je->db_path, je->dir, sizeof(je->dir)) == -1) {
		log_warnx("exports: db_path is too long; no export files");
		je->dir[0] = '\0';
	} else if (mkdir(je->dir, 0750) == -1 && errno != EEXIST)
		log_warn("exports: %s", je->dir);
	return je;
}

static int
job_export_look_fn(struct store_txn *txn, void *arg)
{
	struct job_export_look *l = arg;
	struct user *u;
	int rc;

	/* struct user carries tokens: off the stack, wiped after. */
	if ((u = calloc(1, sizeof(*u))) == NULL)
		return -1;
	rc = store_get_user(txn, l->user, u);
	l->exists = rc == STORE_OK;
	if (l->exists)
		l->stamp = exportfile_stamp(u);
	explicit_bzero(u, sizeof(*u));
	free(u);
	if (rc == STORE_ERR)
		return -1;
	if (!l->exists)
		return 0;
	rc = exportfile_get_built(txn, l->user, l->fmt, &l->built);
	l->has_built = rc == 0;
	return rc == -1 ? -1 : 0;
}

/* Reads what the store says of user's fmt into *l (0 / -1). */
static int
job_export_look(struct job_export *je, const char *user, int fmt,
    struct job_export_look *l)
{
	memset(l, 0, sizeof(*l));
	l->user = user;
	l->fmt = fmt;
	return store_read(je->st, job_export_look_fn, l) == STORE_OK ? 0 : -1;
}

static void
job_export_enqueue(struct job_export *je, const struct exportfile_want *w)
{
	size_t i;

	for (i = 0; i < je->nq; i++)
		if (je->queue[i].fmt == w->fmt &&
		    strcmp(je->queue[i].user, w->user) == 0)
			return;
	if (je->nq < JOB_EXPORT_QUEUE)
		je->queue[je->nq++] = *w;
}

static int
job_export_built_fn(struct store_txn *txn, void *arg)
{
	struct job_export *je = arg;

	return exportfile_put_built(txn, je->cur.user, je->cur.fmt,
	    &je->cur_b);
}

/* The build running ended (status as from waitpid): record or log it. */
static void
job_export_done(struct job_export *je, int status)
{
	const char *fmt = export_format_name(je->cur.fmt);

	je->child = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_warnx("exports: building %s's %s failed (%s %d); tried "
		    "again when asked for", je->cur.user, fmt,
		    WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return;
	}
	if (store_write(je->st, job_export_built_fn, je) != STORE_OK)
		log_warnx("exports: %s's %s built but not recorded",
		    je->cur.user, fmt);
	else
		log_info("exports: %s's %s is ready", je->cur.user, fmt);
}

/* Starts the export command for je->cur as a child (0 / -1). */
static int
job_export_spawn(struct job_export *je)
{
	char out[1200], name[EXPORTFILE_NAME_MAX];
	const char *args[] = { "export", "--user", je->cur.user, "--format",
	    export_format_name(je->cur.fmt), "-o", out, NULL };
	pid_t pid;

	if (exportfile_name(je->cur.user, je->cur.fmt, name,
	    sizeof(name)) == -1 ||
	    snprintf(out, sizeof(out), "%s/%s", je->dir, name) >=
	    (int)sizeof(out))
		return -1;
	if (mkdir(je->dir, 0750) == -1 && errno != EEXIST) {
		log_warn("exports: %s", je->dir);
		return -1;
	}
	if ((pid = cmd_spawn("exports", args, 0)) == -1)
		return -1;
	je->child = pid;
	return 0;
}

/* Whether the finished file of w is there. */
static int
job_export_exists(const struct job_export *je, const struct exportfile_want *w)
{
	char name[EXPORTFILE_NAME_MAX], path[1200];
	struct stat sb;

	return exportfile_name(w->user, w->fmt, name, sizeof(name)) == 0 &&
	    snprintf(path, sizeof(path), "%s/%s", je->dir, name) <
	    (int)sizeof(path) && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Starts the first queued build that is still needed. */
static void
job_export_next(struct job_export *je)
{
	struct job_export_look l;
	int64_t now = time_now_ms() / 1000;

	while (je->nq > 0 && je->child == 0) {
		je->cur = je->queue[0];
		memmove(je->queue, je->queue + 1,
		    (je->nq - 1) * sizeof(je->queue[0]));
		je->nq--;
		if (job_export_look(je, je->cur.user, je->cur.fmt, &l) == -1 ||
		    !l.exists)
			continue;
		if (l.has_built && l.built.stamp == l.stamp &&
		    job_export_exists(je, &je->cur))
			continue;	/* built from this journal already */
		je->cur_b.built_at = now;
		je->cur_b.stamp = l.stamp;
		if (job_export_spawn(je) == -1)
			log_warnx("exports: cannot start building %s's %s",
			    je->cur.user, export_format_name(je->cur.fmt));
	}
}

static int
job_export_take_fn(struct store_txn *txn, void *arg)
{
	struct exportfile_want *w = arg;
	size_t n;

	if (exportfile_take_wants(txn, w, &n) == -1)
		return -1;
	w[n].user[0] = '\0';	/* the end */
	return 0;
}

static void
job_export_take(struct job_export *je)
{
	struct exportfile_want w[EXPORTFILE_WANTS_MAX + 1];
	size_t i;

	w[0].user[0] = '\0';
	if (store_write(je->st, job_export_take_fn, w) != STORE_OK) {
		log_warnx("exports: cannot read the exports asked for");
		return;
	}
	for (i = 0; i < EXPORTFILE_WANTS_MAX && w[i].user[0] != '\0'; i++)
		job_export_enqueue(je, &w[i]);
}

static int
job_export_forget_fn(struct store_txn *txn, void *arg)
{
	const struct exportfile_want *w = arg;

	return exportfile_del_built(txn, w->user, w->fmt);
}

/* One file of the folder: removed, queued for a rebuild, or left. */
static void
job_export_sweep_one(struct job_export *je, const char *name,
    int64_t interval, int64_t now)
{
	struct job_export_look l;
	struct exportfile_want w;
	char path[1200];
	struct stat sb;

	if (snprintf(path, sizeof(path), "%s/%s", je->dir, name) >=
	    (int)sizeof(path) || lstat(path, &sb) == -1 ||
	    !S_ISREG(sb.st_mode))
		return;
	if (exportfile_parse_name(name, &w) == -1) {
		/* A build's temporary file, left by a kill. */
		if (now - (int64_t)sb.st_mtime > JOB_EXPORT_TMP_AGE &&
		    unlink(path) == 0)
			log_info("exports: removed the stray %s", name);
		return;
	}
	if (job_export_look(je, w.user, w.fmt, &l) == -1)
		return;
	if (!l.exists) {
		if (je->child != 0 && je->cur.fmt == w.fmt &&
		    strcmp(je->cur.user, w.user) == 0)
			return;
		if (unlink(path) == 0)
			log_info("exports: removed %s (the user is gone)",
			    name);
		if (store_write(je->st, job_export_forget_fn, &w) != STORE_OK)
			log_warnx("exports: cannot forget %s", name);
		return;
	}
	if (!l.has_built || (l.built.stamp != l.stamp &&
	    now - l.built.built_at >= interval))
		job_export_enqueue(je, &w);
}

static void
job_export_sweep(struct job_export *je, int64_t interval)
{
	int64_t now = time_now_ms() / 1000;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(je->dir)) == NULL) {
		if (errno != ENOENT)
			log_warn("exports: %s", je->dir);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			job_export_sweep_one(je, de->d_name, interval, now);
	closedir(d);
}

void
job_export_tick(struct job_export *je, const struct config *cfg,
    int64_t now_ms)
{
	int64_t interval = config_num(cfg, CFG_EXPORT_INTERVAL);
	pid_t pid;
	int status;

	if (je == NULL || je->dir[0] == '\0')
		return;
	if (je->child != 0) {
		pid = waitpid(je->child, &status, WNOHANG);
		if (pid == 0)
			return;		/* still building */
		if (pid == -1) {
			log_warn("exports: waitpid");
			je->child = 0;
		} else
			job_export_done(je, status);
	}
	if (now_ms - je->last_take_ms >= JOB_EXPORT_TAKE_MS ||
	    now_ms < je->last_take_ms) {
		je->last_take_ms = now_ms;
		job_export_take(je);
	}
	if (now_ms / 1000 - je->last_sweep >= JOB_EXPORT_SWEEP_S ||
	    now_ms / 1000 < je->last_sweep) {
		je->last_sweep = now_ms / 1000;
		job_export_sweep(je, interval);
	}
	job_export_next(je);
}

void
job_export_free(struct job_export *je)
{
	int status;

	if (je == NULL)
		return;
	if (je->child != 0) {
		/*
		 * The final name is never touched; the temporary file it
		 * leaves goes with a later sweep.
		 */
		(void)kill(je->child, SIGTERM);
		(void)waitpid(je->child, &status, 0);
		log_info("exports: stopped building %s's %s", je->cur.user,
		    export_format_name(je->cur.fmt));
	}
	free(je);
}
