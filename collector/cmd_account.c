/*
 * cmd_account.c — the owner's account commands: `remove-user ID` and
 * `invite`.
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

#include "cmd.h"
#include "config.h"
#include "ids.h"
#include "invite.h"
#include "store.h"
#include "timeutil.h"

#define PROG		"linernotes-collector"
#define INVITE_DAYS_MAX	365

static struct store *
account_open(const struct config *cfg)
{
	struct store *st;

	if (store_open(&st, config_str(cfg, CFG_DB_PATH), 0, 0) != STORE_OK) {
		fprintf(stderr, "%s: cannot open the store at %s\n", PROG,
		    config_str(cfg, CFG_DB_PATH));
		return NULL;
	}
	return st;
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
	return r->rc == STORE_ERR ? -1 : 0;
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
	if ((st = account_open(cfg)) == NULL)
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

int
cmd_invite(struct config *cfg, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct invite_put p;
	struct store *st;
	const char *errstr;
	char code[INVITE_CODE_LEN + 1], when[32], site[1024];
	size_t n;
	long long days = INVITE_TTL_S / 86400;
	int ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "d:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			days = strtonum(optarg, 1, INVITE_DAYS_MAX, &errstr);
			if (errstr != NULL) {
				fprintf(stderr, "%s: invite: --days must be 1 "
				    "to %d\n", PROG, INVITE_DAYS_MAX);
				return CMD_USAGE;
			}
			break;
		default:
			return cmd_usage("invite");
		}
	}
	if (optind != argc)
		return cmd_usage("invite");
	if ((st = account_open(cfg)) == NULL)
		return CMD_FAIL;
	invite_new(code);
	memset(&p, 0, sizeof(p));
	(void)invite_meta_name(code, p.name);
	p.until = (int64_t)time(NULL) + days * 86400;
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
