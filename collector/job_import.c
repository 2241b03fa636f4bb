/*
 * job_import.c — the daemon's import job: runs the uploads the reader
 * queued (fcgi/api_imports.c) and their undos.
 *
 * Each run is the `import --user U --job ID` command (or `--undo`),
 * which the collector execs as linernotes-history, started as a child
 * process that dies with the daemon (PR_SET_PDEATHSIG), so the daemon's
 * loop never waits for it: at most import_jobs at once, one at a time
 * per user.  The command keeps the job's progress in the store with each
 * file it commits, so a run killed at any moment is simply started again
 * (it resumes after the last file committed; after IMPORT_JOB_ATTEMPTS
 * starts the job fails with a reason).  A job that ended (done, failed,
 * undone) has its spool file deleted; every JOB_IMPORT_SWEEP_S the spool
 * is swept of files no job waits for (an upload whose recording failed,
 * a crash between a job's end and the deletion).
 *
 * The jobs are read every JOB_IMPORT_SCAN_MS, and at once (at most every
 * JOB_IMPORT_WAKE_MS) when the store's data file is written: every commit
 * writes it, the reader's of a new or undone job too, so a job starts a
 * few ms after its upload's answer rather than up to a scan later.  The
 * event of a commit's last write (its meta page) comes after that write,
 * and the events are read before the jobs are, so the scan it causes
 * sees the commit.  Without inotify the scan alone remains.
 */
#include <sys/inotify.h>
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
#include "ids.h"
#include "import_job.h"
#include "job_import.h"
#include "log.h"
#include "store.h"
#include "timeutil.h"

#define JOB_IMPORT_SCAN_MS	250	/* jobs read this often */
#define JOB_IMPORT_WAKE_MS	10	/* and on a store write, at most this often */
#define JOB_IMPORT_SWEEP_S	10	/* the spool swept this often */
#define JOB_IMPORT_ORPHAN_S	60	/* a file no job names goes after */
#define JOB_IMPORT_RETRY_S	5	/* a run that failed starts again after */
#define JOB_IMPORT_RUNS_MAX	16	/* import_jobs' upper bound */
#define JOB_IMPORT_SEEN_MAX	256	/* runnable jobs looked at per scan */

struct job_run {
	pid_t		 pid;		/* 0: a free slot */
	char		 user[USER_ID_MAX + 1];
	uint32_t	 id;
	int		 undo;
	int64_t		 started;	/* Unix s */
};

/* A job that may run, as one scan found it. */
struct job_want {
	char		 user[USER_ID_MAX + 1];
	uint32_t	 id;
	uint8_t		 status;
	int64_t		 created_at;
	char		 name[IMPORT_NAME_MAX + 1];
};

struct job_import {
	struct store	*st;
	char		 db_path[1024];
	char		 spool[1100];
	struct job_run	 runs[JOB_IMPORT_RUNS_MAX];
	/* The last run that ended without ending its job: not again soon. */
	char		 held_user[USER_ID_MAX + 1];
	uint32_t	 held_id;
	int64_t		 held_until;
	int64_t		 last_scan_ms;
	int64_t		 last_sweep;
	int		 wake_fd;	/* inotify on data.mdb, or -1 */
	int		 woken;		/* the store was written since the scan */
	struct job_want	*want;
	size_t		 n_want;
};

struct job_import *
job_import_new(const struct config *cfg, struct store *st)
{
	struct job_import *ji;
	char incoming[1200];

	if ((ji = calloc(1, sizeof(*ji))) == NULL)
		return NULL;
	if ((ji->want = calloc(JOB_IMPORT_SEEN_MAX, sizeof(*ji->want))) ==
	    NULL) {
		free(ji);
		return NULL;
	}
	ji->st = st;
	ji->wake_fd = -1;
	if (strlcpy(ji->db_path, config_str(cfg, CFG_DB_PATH),
	    sizeof(ji->db_path)) >= sizeof(ji->db_path) ||
	    import_job_spool_dir(ji->db_path, ji->spool, sizeof(ji->spool)) ==
	    -1) {
		log_warnx("imports: db_path is too long; no imports");
		ji->spool[0] = '\0';
		return ji;
	}
	if (mkdir(ji->spool, 0750) == -1 && errno != EEXIST)
		log_warn("imports: %s", ji->spool);
	(void)snprintf(incoming, sizeof(incoming), "%s/incoming", ji->spool);
	if (mkdir(incoming, 0750) == -1 && errno != EEXIST)
		log_warn("imports: %s", incoming);
	(void)snprintf(incoming, sizeof(incoming), "%s/data.mdb", ji->db_path);
	if ((ji->wake_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(ji->wake_fd, incoming, IN_MODIFY) == -1) {
		log_debug("imports: no inotify on %s (%s): jobs are read every "
		    "%d ms", incoming, strerror(errno), JOB_IMPORT_SCAN_MS);
		if (ji->wake_fd != -1)
			close(ji->wake_fd);
		ji->wake_fd = -1;
	}
	return ji;
}

/* Reads the pending inotify events: whether there were any. */
static int
job_import_drain(struct job_import *ji)
{
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int any = 0;

	if (ji->wake_fd == -1)
		return 0;
	while (read(ji->wake_fd, ev, sizeof(ev)) > 0)
		any = 1;
	return any;
}

int
job_import_wait(const struct job_import *ji, int64_t now_ms, int *fd)
{
	int64_t left;

	*fd = -1;
	if (ji == NULL || ji->spool[0] == '\0' || ji->wake_fd == -1)
		return JOB_IMPORT_SCAN_MS;
	if (!ji->woken) {
		*fd = ji->wake_fd;
		return JOB_IMPORT_SCAN_MS;
	}
	left = ji->last_scan_ms + JOB_IMPORT_WAKE_MS - now_ms;
	return left < 0 ? 0 : left > JOB_IMPORT_WAKE_MS ? JOB_IMPORT_WAKE_MS :
	    (int)left;
}

static int
job_import_running(const struct job_import *ji, const char *user)
{
	size_t i;

	for (i = 0; i < JOB_IMPORT_RUNS_MAX; i++)
		if (ji->runs[i].pid != 0 && (user == NULL ||
		    strcmp(ji->runs[i].user, user) == 0))
			return 1;
	return 0;
}

static size_t
job_import_n_running(const struct job_import *ji)
{
	size_t i, n = 0;

	for (i = 0; i < JOB_IMPORT_RUNS_MAX; i++)
		n += ji->runs[i].pid != 0;
	return n;
}

/* ---- after a run ---------------------------------------------------------- */

struct job_look {
	const char	*user;
	uint32_t	 id;
	int		 found;
	uint8_t		 status;
};

static int
job_look_fn(struct store_txn *txn, void *arg)
{
	struct job_look *l = arg;
	struct import_job *j;
	int rc;

	if ((j = malloc(sizeof(*j))) == NULL)
		return -1;
	rc = store_get_import(txn, l->user, l->id, j);
	l->found = rc == STORE_OK;
	if (l->found)
		l->status = j->status;
	free(j);
	return rc == STORE_ERR ? -1 : 0;
}

static void
job_import_unlink(const struct job_import *ji, const char *user, uint32_t id)
{
	char path[1300];

	if (import_job_spool_path(ji->db_path, user, id, path,
	    sizeof(path)) == 0 && unlink(path) == -1 && errno != ENOENT)
		log_warn("imports: %s", path);
}

/* A run ended (status as from waitpid): its job ended, or runs again. */
static void
job_import_done(struct job_import *ji, struct job_run *run, int status)
{
	struct job_look l;

	run->pid = 0;
	memset(&l, 0, sizeof(l));
	l.user = run->user;
	l.id = run->id;
	if (store_read(ji->st, job_look_fn, &l) != STORE_OK) {
		log_warnx("imports: job %u of %s: cannot read it", run->id,
		    run->user);
		return;
	}
	if (!l.found || import_job_ended(l.status)) {
		job_import_unlink(ji, run->user, run->id);
		if (l.found)
			log_info("imports: job %u of %s is %s", run->id,
			    run->user, SCHEMA_WORD(schema_import_statuses,
			    l.status));
		return;
	}
	/*
	 * An import that finished as its owner asked to undo it (the job
	 * was done, then undoing, before the run exited): not a run that
	 * stopped, so the undo starts at once, not after the hold.
	 */
	if (!run->undo && l.status == IMPORT_UNDOING && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		return;
	log_warnx("imports: job %u of %s stopped (%s %d) while %s; it goes "
	    "on shortly", run->id, run->user,
	    WIFEXITED(status) ? "exit" : "signal",
	    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	    SCHEMA_WORD(schema_import_statuses, l.status));
	(void)strlcpy(ji->held_user, run->user, sizeof(ji->held_user));
	ji->held_id = run->id;
	ji->held_until = time_now_ms() / 1000 + JOB_IMPORT_RETRY_S;
}

/* ---- starting runs -------------------------------------------------------- */

static int
job_want_fn(const struct import_job *j, void *arg)
{
	struct job_import *ji = arg;
	struct job_want *w;

	if (j->status != IMPORT_QUEUED && j->status != IMPORT_IMPORTING &&
	    j->status != IMPORT_UNDOING)
		return 0;
	if (ji->n_want == JOB_IMPORT_SEEN_MAX)
		return 1;
	w = &ji->want[ji->n_want++];
	(void)strlcpy(w->user, j->user, sizeof(w->user));
	w->id = j->id;
	w->status = j->status;
	w->created_at = j->created_at;
	(void)strlcpy(w->name, j->file_name, sizeof(w->name));
	return 0;
}

static int
job_read_wants_fn(struct store_txn *txn, void *arg)
{
	struct job_import *ji = arg;

	ji->n_want = 0;
	return store_iter_imports(txn, NULL, STORE_ASC, job_want_fn, ji) ==
	    STORE_OK ? 0 : -1;
}

/* The job's spool file went missing: it fails, with why. */
static void
job_import_lost(struct job_import *ji, const struct job_want *w)
{
	if (import_job_end(ji->st, w->user, w->id, "the uploaded file was "
	    "lost before it could be imported; upload it again") == -1)
		log_warnx("imports: job %u of %s: cannot record its end",
		    w->id, w->user);
	else
		log_warnx("imports: job %u of %s: its spool file is gone",
		    w->id, w->user);
}

static int
job_import_spawn(struct job_import *ji, struct job_run *run,
    const struct job_want *w)
{
	char path[1300], id[16];
	const char *args[CMD_SPAWN_ARGS + 1];
	pid_t pid;
	int i = 0;

	if (import_job_spool_path(ji->db_path, w->user, w->id, path,
	    sizeof(path)) == -1)
		return -1;
	snprintf(id, sizeof(id), "%u", w->id);
	args[i++] = "import";
	args[i++] = "--user";
	args[i++] = w->user;
	args[i++] = "--job";
	args[i++] = id;
	if (w->status == IMPORT_UNDOING)
		args[i++] = "--undo";
	else {
		args[i++] = "--name";
		args[i++] = w->name;
		args[i++] = path;
	}
	args[i] = NULL;
	/* A run must not outlive the daemon: a restart runs it anew. */
	if ((pid = cmd_spawn("imports", args, CMD_SPAWN_PDEATH)) == -1)
		return -1;
	memset(run, 0, sizeof(*run));
	run->pid = pid;
	(void)strlcpy(run->user, w->user, sizeof(run->user));
	run->id = w->id;
	run->undo = w->status == IMPORT_UNDOING;
	run->started = time_now_ms() / 1000;
	log_info("imports: %s job %u of %s", run->undo ? "undoing" :
	    "running", w->id, w->user);
	return 0;
}

static void
job_import_start(struct job_import *ji, size_t max, int64_t now)
{
	struct job_want *w;
	struct stat sb;
	char path[1300];
	size_t i, k;

	if (store_read(ji->st, job_read_wants_fn, ji) != STORE_OK) {
		log_warnx("imports: cannot read the jobs");
		return;
	}
	for (i = 0; i < ji->n_want && job_import_n_running(ji) < max; i++) {
		w = &ji->want[i];
		if (job_import_running(ji, w->user))
			continue;	/* one at a time per user */
		if (w->id == ji->held_id && strcmp(w->user, ji->held_user) ==
		    0 && now < ji->held_until)
			continue;
		if (w->status != IMPORT_UNDOING &&
		    (import_job_spool_path(ji->db_path, w->user, w->id, path,
		    sizeof(path)) == -1 || stat(path, &sb) == -1)) {
			job_import_lost(ji, w);
			continue;
		}
		for (k = 0; k < JOB_IMPORT_RUNS_MAX; k++)
			if (ji->runs[k].pid == 0)
				break;
		if (k == JOB_IMPORT_RUNS_MAX ||
		    job_import_spawn(ji, &ji->runs[k], w) == -1)
			return;
	}
}

/* ---- the spool's sweep ---------------------------------------------------- */

/* "<user>.<id>" into user and id (0 / -1). */
static int
job_import_parse_name(const char *name, char user[USER_ID_MAX + 1],
    uint32_t *id)
{
	const char *dot = strrchr(name, '.'), *errstr = NULL;
	size_t n;

	if (dot == NULL || (n = (size_t)(dot - name)) == 0 || n > USER_ID_MAX)
		return -1;
	memcpy(user, name, n);
	user[n] = '\0';
	*id = (uint32_t)strtonum(dot + 1, 1, UINT32_MAX, &errstr);
	return errstr == NULL && ids_valid_user(user) ? 0 : -1;
}

static void
job_import_sweep(struct job_import *ji, int64_t now)
{
	DIR *d;
	struct dirent *de;
	struct stat sb;
	struct job_look l;
	char user[USER_ID_MAX + 1], path[1300];

	if ((d = opendir(ji->spool)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "incoming") == 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", ji->spool,
		    de->d_name) >= sizeof(path) || lstat(path, &sb) == -1 ||
		    !S_ISREG(sb.st_mode))
			continue;
		memset(&l, 0, sizeof(l));
		if (job_import_parse_name(de->d_name, user, &l.id) == 0) {
			l.user = user;
			if (store_read(ji->st, job_look_fn, &l) != STORE_OK)
				continue;
		}
		/*
		 * The reader links the file before its job commits: a file
		 * no job names is an orphan only once its link is old.
		 */
		if (l.found ? !import_job_ended(l.status) :
		    now - (int64_t)sb.st_ctime < JOB_IMPORT_ORPHAN_S)
			continue;
		if (unlink(path) == -1)
			log_warn("imports: %s", path);
		else
			log_info("imports: removed %s from the spool",
			    de->d_name);
	}
	closedir(d);
}

void
job_import_tick(struct job_import *ji, const struct config *cfg,
    int64_t now_ms)
{
	size_t i, max = (size_t)config_num(cfg, CFG_IMPORT_JOBS);
	int status, reaped = 0;
	pid_t pid;

	if (ji == NULL || ji->spool[0] == '\0')
		return;
	for (i = 0; i < JOB_IMPORT_RUNS_MAX; i++) {
		if (ji->runs[i].pid == 0)
			continue;
		pid = waitpid(ji->runs[i].pid, &status, WNOHANG);
		if (pid == 0)
			continue;
		if (pid == -1) {
			log_warn("imports: waitpid");
			status = 0;
		}
		job_import_done(ji, &ji->runs[i], status);
		reaped = 1;
	}
	if (max > JOB_IMPORT_RUNS_MAX)
		max = JOB_IMPORT_RUNS_MAX;
	if (job_import_drain(ji))
		ji->woken = 1;
	if (reaped || now_ms - ji->last_scan_ms >= JOB_IMPORT_SCAN_MS ||
	    now_ms < ji->last_scan_ms || (ji->woken &&
	    now_ms - ji->last_scan_ms >= JOB_IMPORT_WAKE_MS)) {
		ji->last_scan_ms = now_ms;
		ji->woken = 0;
		if (job_import_n_running(ji) < max)
			job_import_start(ji, max, now_ms / 1000);
	}
	if (now_ms / 1000 - ji->last_sweep >= JOB_IMPORT_SWEEP_S ||
	    now_ms / 1000 < ji->last_sweep) {
		ji->last_sweep = now_ms / 1000;
		job_import_sweep(ji, time(NULL));
	}
}

void
job_import_free(struct job_import *ji)
{
	size_t i;
	int status;

	if (ji == NULL)
		return;
	for (i = 0; i < JOB_IMPORT_RUNS_MAX; i++) {
		if (ji->runs[i].pid == 0)
			continue;
		/* Every file it committed stays; the rest runs next time. */
		(void)kill(ji->runs[i].pid, SIGTERM);
		(void)waitpid(ji->runs[i].pid, &status, 0);
		log_info("imports: stopped job %u of %s", ji->runs[i].id,
		    ji->runs[i].user);
	}
	if (ji->wake_fd != -1)
		close(ji->wake_fd);
	free(ji->want);
	free(ji);
}
