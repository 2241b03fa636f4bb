/*
 * api_me.c — the signed-in user's own account: GET /api/v0/me and
 * PUT /api/v0/settings.
 *
 * Without a valid session /me answers {"signed_in":false} (a 200: asking
 * who is signed in is not an error, and pages ask it on every load) and
 * /settings 401.  With one, both write the same document: the profile as
 * /users shows it, the private settings (visibility, time zone: null
 * when unset, as in /users; Discover Weekly playlist, archived
 * playlists), the authorization (when it was given, when Spotify's six
 * months end, and whether to warn), the plays poll interval the collector
 * chose for the user and why (lib/cadence_rec.h; null before the first
 * poll), and the session's end.  Tokens never appear, and nothing here is
 * shown to anyone but the signed-in user.
 *
 * PUT /settings takes any of the four settings (others are left as they
 * are), validated by lib/settings.c's settings_parse() (whose validators
 * the collector's set-user uses too) before the handler runs (route.c),
 * and writes them in one transaction; the read transaction is ended
 * first, as store_write() requires.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "cadence_rec.h"
#include "ids.h"
#include "json.h"
#include "render.h"
#include "session.h"
#include "settings.h"
#include "timeutil.h"
#include "tz.h"

#define ME_AUTH_MONTHS	6		/* Spotify's refresh tokens last */
#define ME_WARN_S	(14 * 86400)	/* warn this long before the end */

/* The Unix second ME_AUTH_MONTHS calendar months after t (UTC). */
static int64_t
me_auth_end(int64_t t)
{
	int64_t y, days = t / 86400, sod = t % 86400;
	unsigned m, d;

	if (sod < 0) {
		sod += 86400;
		days--;
	}
	time_civil_from_days(days, &y, &m, &d);
	m += ME_AUTH_MONTHS;
	if (m > 12) {
		m -= 12;
		y++;
	}
	return time_days_from_civil(y, m, d) * 86400 + sod;
}

/* The time zone as /users writes it: the name, or null when unset. */
static void
me_timezone(struct json *j, const struct user *u)
{
	if (u->timezone[0] != '\0')
		json_str(j, "timezone", u->timezone);
	else
		json_null(j, "timezone");
}

/*
 * The plays poll interval and why, or null when the collector has chosen
 * none yet (or the record cannot be read: it is only shown, never needed).
 */
static void
me_poll(struct json *j, struct store_txn *txn, const char *id)
{
	struct cadence_rec rec;

	if (cadence_rec_get(txn, id, &rec) == -1 || rec.decided_s == 0 ||
	    rec.why >= CADENCE__MAX || rec.interval_s <= 0) {
		json_null(j, "poll");
		return;
	}
	json_obj_open(j, "poll");
	json_int(j, "interval_s", rec.interval_s);
	json_str(j, "why", cadence_why_names[rec.why]);
	json_str(j, "why_text", cadence_whys[rec.why]);
	if ((rec.why == CADENCE_IDLE || rec.why == CADENCE_USUAL) &&
	    rec.idle_since_ms > 0)
		render_time_ms(j, "idle_since", "idle_since_iso",
		    rec.idle_since_ms);
	else {
		json_null(j, "idle_since");
		json_null(j, "idle_since_iso");
	}
	render_time_s(j, "decided_at", "decided_at_iso", rec.decided_s);
	json_obj_close(j);
}

/* Writes the document described at the top of this file. */
static int
me_write(struct resp *r, struct store_txn *txn, const struct user *u,
    int64_t session_end)
{
	int64_t now = time_now_ms() / 1000, end;
	struct json j;
	int i;

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_bool(&j, "signed_in", 1);
	json_obj_open(&j, "user");
	json_str(&j, "id", u->id);
	json_str(&j, "display_name", u->display_name[0] != '\0' ?
	    u->display_name : u->id);
	if (u->image_url[0] != '\0')
		json_str(&j, "image_url", u->image_url);
	else
		json_null(&j, "image_url");
	json_str(&j, "status", render_status(u->status));
	json_str(&j, "visibility", settings_visibility_names[u->visibility <
	    VIS__MAX ? u->visibility : VIS_PRIVATE]);
	me_timezone(&j, u);
	json_str(&j, "country", u->country);
	json_str(&j, "product", u->product);
	json_uint(&j, "n_plays", u->n_plays);
	render_time_s(&j, "last_ok_poll", "last_ok_poll_iso", u->last_ok_poll);
	render_time_s(&j, "created_at", "created_at_iso", u->created_at);
	json_obj_close(&j);

	json_obj_open(&j, "settings");
	json_str(&j, "visibility", settings_visibility_names[u->visibility <
	    VIS__MAX ? u->visibility : VIS_PRIVATE]);
	me_timezone(&j, u);
	json_str(&j, "dw_playlist", u->dw_playlist);
	json_arr_open(&j, "archive");
	for (i = 0; i < u->n_archive && i < ARCHIVE_MAX; i++)
		json_str(&j, NULL, u->archive[i]);
	json_arr_close(&j);
	json_obj_close(&j);

	json_obj_open(&j, "authorization");
	end = u->authorized_at > 0 ? me_auth_end(u->authorized_at) : 0;
	render_time_s(&j, "authorized_at", "authorized_at_iso",
	    u->authorized_at);
	render_time_s(&j, "expires_at", "expires_at_iso", end);
	json_bool(&j, "needs_reauth", u->status == USER_REAUTH ||
	    (end > 0 && end <= now));
	json_bool(&j, "expiring", end > 0 && end - now <= ME_WARN_S);
	json_obj_close(&j);

	me_poll(&j, txn, u->id);

	json_obj_open(&j, "session");
	render_time_s(&j, "expires_at", "expires_at_iso", session_end);
	json_obj_close(&j);
	json_obj_close(&j);
	return render_finish(&j, r);
}

/* The session's end for the answer (now + what is left; 0 unknown). */
static int64_t
me_session_end(struct ctx *c)
{
	char value[SESSION_VALUE_MAX + 1], user[USER_ID_MAX + 1];
	unsigned char hash[SESSION_HASH_LEN];
	struct session s;
	int64_t end = 0;

	if (session_get_cookie(c->req->cookie,
	    session_cookie_name(c->app->auth), value, sizeof(value)) == 0 &&
	    session_parse(value, user, hash) == 0 &&
	    store_get_session(c->app->txn, user, hash, &s) == STORE_OK)
		end = s.expires_at;
	explicit_bzero(value, sizeof(value));
	return end;
}

/* The answer of /me to nobody. */
static int
me_nobody(struct resp *r)
{
	struct json j;

	json_init(&j, &r->body);
	json_obj_open(&j, NULL);
	json_bool(&j, "signed_in", 0);
	json_obj_close(&j);
	return render_finish(&j, r);
}

int
api_me(struct ctx *c, struct resp *r)
{
	const char *who;
	int rc;

	if ((who = session_viewer(c)) == NULL)
		return me_nobody(r);
	rc = store_get_user(c->app->txn, who, &c->user);
	if (rc == STORE_NOTFOUND)
		return me_nobody(r);
	if (rc != STORE_OK)
		return http_error(r, 500, "the user could not be read");
	return me_write(r, c->app->txn, &c->user, me_session_end(c));
}

/* ---- PUT /settings ------------------------------------------------------- */

struct settings_write {
	const char		*user;
	const struct settings_in *in;
	int			 found;
};

static int
settings_write_fn(struct store_txn *txn, void *arg)
{
	struct settings_write *w = arg;
	struct user u;
	int rc;

	rc = store_get_user(txn, w->user, &u);
	if ((w->found = rc == STORE_OK) == 0)
		return rc == STORE_NOTFOUND ? 0 : -1;
	settings_apply(w->in, &u);
	rc = store_put_user(txn, &u);
	explicit_bzero(&u, sizeof(u));
	return rc == STORE_OK ? 0 : -1;
}

int
api_me_settings(struct ctx *c, struct resp *r)
{
	struct settings_write w;
	char who[USER_ID_MAX + 1];
	int64_t end;
	int rc;

	if (store_read_begin(c->app->txn) != STORE_OK)
		return http_error(r, 503, "the store cannot be read right now");
	if (session_viewer(c) == NULL) {
		store_read_end(c->app->txn);
		return http_error(r, 401, "not signed in");
	}
	(void)strlcpy(who, c->viewer, sizeof(who));
	store_read_end(c->app->txn);

	memset(&w, 0, sizeof(w));
	w.user = who;
	w.in = &c->a.settings;
	if (store_write(c->app->store, settings_write_fn, &w) != STORE_OK)
		return http_error(r, 503, "the settings could not be saved; "
		    "try again");
	if (!w.found)
		return http_error(r, 401, "not signed in");

	if (store_read_begin(c->app->txn) != STORE_OK)
		return http_error(r, 503, "the store cannot be read right now");
	rc = store_get_user(c->app->txn, who, &c->user);
	end = me_session_end(c);
	if (rc != STORE_OK) {
		store_read_end(c->app->txn);
		return http_error(r, 500, "the user could not be read");
	}
	rc = me_write(r, c->app->txn, &c->user, end);
	store_read_end(c->app->txn);
	return rc;
}
