/*
 * cmd_account.c — the owner's account commands: `set-user ID KEY=VALUE...`,
 * `remove-user ID` and `invite`.
 *
 * set-user changes a user's settings from the shell: the four a journal's
 * owner changes on the Settings page (visibility, timezone, dw_playlist,
 * archive), validated by lib/settings.h exactly as PUT /api/v0/settings
 * validates them, and the collection status (active or disabled: the
 * owner of the instance pauses and resumes polling).  Every KEY=VALUE is
 * checked before the store is opened; then one write transaction reads the
 * user, applies them and writes it back, so either all change or none.
 * It prints the resulting settings as KEY=VALUE lines.
 *
 * remove-user deletes a user and every record of theirs in one write
 * transaction (store_purge_user(): plays, weekly playlist snapshots, top
 * lists, gaps, aggregates, sign-in sessions and the user record) and says
 * how many records went.  A daemon polling that user at the same moment
 * writes nothing for them afterwards: every job re-reads the user inside
 * its own transaction and stops when it is gone.  Entities (tracks,
 * artists, albums) are shared by all journals and stay.
 *
 * invite makes a one-time invitation code for `signups = invite`
 * (lib/invite.h): the code is printed once, and the store keeps only its
 * hash with the moment it stops working.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cadence.h"
#include "cmd.h"
#include "config.h"
#include "ids.h"
#include "invite.h"
#include "settings.h"
#include "store.h"
#include "timeutil.h"

#define PROG		"linernotes-collector"
#define INVITE_DAYS_MAX	365

/* ---- set-user ------------------------------------------------------------ */

struct set_user {
	const char		*id;
	struct settings_in	 in;
	int			 status;	/* -1: unchanged */
	int			 rc;		/* STORE_OK / STORE_NOTFOUND */
	int			 reauth;	/* active refused: reauth */
	struct user		 u;		/* as written */
};

static int
set_user_fn(struct store_txn *txn, void *arg)
{
	struct set_user *s = arg;

	if ((s->rc = store_get_user(txn, s->id, &s->u)) != STORE_OK)
		return s->rc == STORE_NOTFOUND ? 0 : -1;
	if (s->status == USER_ACTIVE && s->u.status == USER_REAUTH) {
		s->reauth = 1;
		return 0;
	}
	settings_apply(&s->in, &s->u);
	if (s->status != -1)
		s->u.status = (uint8_t)s->status;
	return store_put_user(txn, &s->u) == STORE_OK ? 0 : -1;
}

/* Parses one KEY=VALUE into s; 0, or -1 after a line on stderr. */
static int
set_user_arg(struct set_user *s, char *arg)
{
	static const char keys[] = "visibility, timezone, dw_playlist, "
	    "archive, status";
	const char *msg = NULL;
	char *val, *list, *p, *id;
	int k;

	if ((val = strchr(arg, '=')) == NULL) {
		fprintf(stderr, "%s: set-user: %s: expected KEY=VALUE (keys: "
		    "%s)\n", PROG, arg, keys);
		return -1;
	}
	*val++ = '\0';
	if (strcmp(arg, "status") == 0) {
		if (s->status != -1)
			msg = "given twice";
		else if (strcmp(val, "active") == 0)
			s->status = USER_ACTIVE;
		else if (strcmp(val, "disabled") == 0)
			s->status = USER_DISABLED;
		else
			msg = "status must be active or disabled";
		goto done;
	}
	if ((k = settings_key(arg)) == -1) {
		fprintf(stderr, "%s: set-user: unknown key %s (keys: %s)\n",
		    PROG, arg, keys);
		return -1;
	}
	if (s->in.has & SET_BIT(k)) {
		msg = "given twice";
		goto done;
	}
	switch (k) {
	case SET_VISIBILITY:
		(void)settings_set_visibility(&s->in, val, &msg);
		break;
	case SET_TIMEZONE:
		(void)settings_set_timezone(&s->in, val, &msg);
		break;
	case SET_DW_PLAYLIST:
		(void)settings_set_dw_playlist(&s->in, val, &msg);
		break;
	case SET_ARCHIVE:
		/* Comma-separated ids, on a copy; "" empties the list. */
		settings_clear_archive(&s->in);
		if (val[0] == '\0')
			break;
		if ((list = p = strdup(val)) == NULL) {
			msg = "out of memory";
			break;
		}
		while (p != NULL && msg == NULL) {
			id = strsep(&p, ",");
			(void)settings_add_archive(&s->in, id, &msg);
		}
		free(list);
		break;
	}
done:
	if (msg != NULL) {
		fprintf(stderr, "%s: set-user: %s=%s: %s\n", PROG, arg, val,
		    msg);
		return -1;
	}
	return 0;
}

int
cmd_set_user(struct config *cfg, int argc, char *argv[])
{
	struct set_user *s;
	struct store *st;
	int i, rc = CMD_FAIL;

	if (argc < 3)
		return cmd_usage("set-user");
	if (!ids_valid_user(argv[1])) {
		fprintf(stderr, "%s: set-user: not a user id: the ids are "
		    "1 to 64 of [0-9A-Za-z._-]\n", PROG);
		return CMD_USAGE;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		fprintf(stderr, "%s: set-user: out of memory\n", PROG);
		return CMD_FAIL;
	}
	s->id = argv[1];
	s->status = -1;
	for (i = 2; i < argc; i++)
		if (set_user_arg(s, argv[i]) == -1) {
			fprintf(stderr, "%s: set-user: nothing was changed\n",
			    PROG);
			rc = CMD_USAGE;
			goto out;
		}
	if ((st = cmd_open_store(cfg, 0)) == NULL)
		goto out;
	if (store_write(st, set_user_fn, s) != STORE_OK) {
		fprintf(stderr, "%s: set-user: the store could not be "
		    "written; nothing was changed\n", PROG);
		store_close(st);
		goto out;
	}
	store_close(st);
	if (s->rc == STORE_NOTFOUND) {
		fprintf(stderr, "%s: set-user: no such user: %s\n", PROG,
		    s->id);
		goto out;
	}
	if (s->reauth) {
		fprintf(stderr, "%s: set-user: status=active: %s must sign in "
		    "again first (status reauth: Spotify refused the refresh "
		    "token); nothing was changed\n", PROG, s->id);
		goto out;
	}
	printf("user=%s\nvisibility=%s\ntimezone=%s\ndw_playlist=%s\n"
	    "archive=", s->u.id, settings_visibility_names[
	    s->u.visibility < VIS__MAX ? s->u.visibility : VIS_PRIVATE],
	    s->u.timezone, s->u.dw_playlist);
	for (i = 0; i < s->u.n_archive && i < ARCHIVE_MAX; i++)
		printf("%s%s", i > 0 ? "," : "", s->u.archive[i]);
	printf("\nstatus=%s\n", SCHEMA_WORD(schema_statuses, s->u.status));
	rc = CMD_OK;
out:
	explicit_bzero(s, sizeof(*s));
	free(s);
	return rc;
}

/* ---- remove-user --------------------------------------------------------- */

struct remove {
	const char	*id;
	int		 rc;
	uint64_t	 n;
};

static int
remove_fn(struct store_txn *txn, void *arg)
{
	struct remove *r = arg;

	r->rc = store_purge_user(txn, r->id, &r->n);
	if (r->rc == STORE_ERR || cadence_forget(txn, r->id) == -1)
		return -1;
	return 0;
}

int
cmd_remove_user(struct config *cfg, int argc, char *argv[])
{
	struct remove r;
	struct store *st;

	if (argc != 2)
		return cmd_usage("remove-user");
	if (!ids_valid_user(argv[1])) {
		fprintf(stderr, "%s: remove-user: not a user id: the ids are "
		    "1 to 64 of [0-9A-Za-z._-]\n", PROG);
		return CMD_USAGE;
	}
	if ((st = cmd_open_store(cfg, 0)) == NULL)
		return CMD_FAIL;
	memset(&r, 0, sizeof(r));
	r.id = argv[1];
	if (store_write(st, remove_fn, &r) != STORE_OK) {
		fprintf(stderr, "%s: remove-user: the store could not be "
		    "written; nothing was removed\n", PROG);
		store_close(st);
		return CMD_FAIL;
	}
	store_close(st);
	if (r.rc == STORE_NOTFOUND) {
		fprintf(stderr, "%s: remove-user: no such user: %s\n", PROG,
		    r.id);
		return CMD_FAIL;
	}
	printf("removed user %s: %llu records (the user, plays, playlist "
	    "snapshots, top lists, gaps, sessions)\n", r.id,
	    (unsigned long long)r.n);
	return CMD_OK;
}

/* ---- invite -------------------------------------------------------------- */

struct invite_put {
	char		 name[INVITE_NAME_SIZE];
	int64_t		 until;
};

static int
invite_fn(struct store_txn *txn, void *arg)
{
	struct invite_put *p = arg;

	return store_put_meta_i64(txn, p->name, p->until) == STORE_OK ? 0 :
	    -1;
}

/* The take (struct cmd_opt) of --days: 1 to INVITE_DAYS_MAX into to. */
static int
invite_take_days(const char *arg, void *to)
{
	const char *errstr;

	*(long long *)to = strtonum(arg, 1, INVITE_DAYS_MAX, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "%s: invite: --days must be 1 to %d\n", PROG,
		    INVITE_DAYS_MAX);
		return -1;
	}
	return 0;
}

int
cmd_invite(struct config *cfg, int argc, char *argv[])
{
	struct invite_put p;
	struct store *st;
	char code[INVITE_CODE_LEN + 1], when[32], site[1024];
	size_t n;
	long long days = INVITE_TTL_S / 86400;
	const struct cmd_opt opts[] = {
		{ "days", 'd', required_argument, invite_take_days, &days },
	};
	int stop;

	if ((stop = cmd_options("invite", argc, argv, opts, CMD_NELEM(opts),
	    0)) != -1)
		return stop;
	if ((st = cmd_open_store(cfg, 0)) == NULL)
		return CMD_FAIL;
	invite_new(code);
	memset(&p, 0, sizeof(p));
	(void)invite_meta_name(code, p.name);
	p.until = time_now_ms() / 1000 + days * 86400;
	if (store_write(st, invite_fn, &p) != STORE_OK) {
		fprintf(stderr, "%s: invite: the store could not be written\n",
		    PROG);
		store_close(st);
		return CMD_FAIL;
	}
	store_close(st);
	if (time_format_iso8601(p.until * 1000, when, 0) == -1)
		(void)strlcpy(when, "?", sizeof(when));
	(void)strlcpy(site, config_str(cfg, CFG_PUBLIC_URL)[0] != '\0' ?
	    config_str(cfg, CFG_PUBLIC_URL) : "<public_url>", sizeof(site));
	n = strlen(site);
	while (n > 0 && site[n - 1] == '/')
		site[--n] = '\0';
	printf("%s\n", code);
	fprintf(stderr, "%s: invitation code made; it works once, until %s.  "
	    "Send the newcomer to %s/api/v0/auth/login?invite=%s\n", PROG,
	    when, site, code);
	if (strcmp(config_str(cfg, CFG_SIGNUPS), "invite") != 0)
		fprintf(stderr, "%s: note: signups is \"%s\", so codes are not "
		    "asked for now\n", PROG, config_str(cfg, CFG_SIGNUPS));
	explicit_bzero(code, sizeof(code));
	return CMD_OK;
}
