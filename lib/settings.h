/*
 * settings.h — a journal's settings as its owner may change them: the
 * names, the validators and how a validated change is applied to a user.
 *
 * Two front ends change settings: the API's PUT /api/v0/settings (a JSON
 * body read by settings_parse(), written by fcgi/api_me.c) and the collector's `set-user ID KEY=VALUE...`
 * (collector/cmd_account.c).  Both validate every value here, so a value
 * one of them accepts the other accepts too, and both report the same
 * messages.  The settings are:
 *
 *   visibility   "public" or "private"
 *   timezone     an IANA name whose zone file loads (tz.h); "" and "UTC"
 *                are stored as "" (UTC, "not set")
 *   dw_playlist  a Spotify playlist id, or "" to find it by name
 *   archive      up to ARCHIVE_MAX Spotify playlist ids (repeats dropped)
 *
 * A change is a struct settings_in: the keys given (SET_BIT(k) in has)
 * with their validated values; settings_apply() copies exactly those into
 * a struct user, which the caller then writes in its own transaction.
 *
 * Error convention: the settings_set_* functions return 0, or -1 with a
 * static message (naming the setting and what it takes) in *msg, and
 * leave the change's other fields as they were.
 */
#ifndef LN_SETTINGS_H
#define LN_SETTINGS_H

#include <stddef.h>

#include "schema.h"
#include "tz.h"

enum set_key {
	SET_VISIBILITY,
	SET_TIMEZONE,
	SET_DW_PLAYLIST,
	SET_ARCHIVE,
	SET__MAX
};
#define SET_BIT(k)	(1u << (k))

/* A validated change: only the fields whose SET_BIT is in has count. */
struct settings_in {
	unsigned	 has;
	int		 visibility;	/* enum user_visibility */
	char		 timezone[TZ_NAME_MAX];	/* "" = UTC */
	char		 dw_playlist[ID_LEN + 1];	/* "" = find it by name */
	char		 archive[ARCHIVE_MAX][ID_LEN + 1];
	int		 n_archive;
};

/* The settings' names, indexed by enum set_key. */
extern const char *const settings_names[SET__MAX];
/* The visibilities' names, indexed by enum user_visibility. */
extern const char *const settings_visibility_names[VIS__MAX];

/* The key called name, or -1 when there is none. */
int	settings_key(const char *name);

/* Validate s as the setting's value and record it in in (has included). */
int	settings_set_visibility(struct settings_in *in, const char *s,
	    const char **msg);
int	settings_set_timezone(struct settings_in *in, const char *s,
	    const char **msg);
int	settings_set_dw_playlist(struct settings_in *in, const char *s,
	    const char **msg);

/*
 * archive: settings_clear_archive() starts the list (empty, has
 * included), settings_add_archive() appends one id to it (a repeat is
 * dropped; the ARCHIVE_MAX+1-th is refused).
 */
void	settings_clear_archive(struct settings_in *in);
int	settings_add_archive(struct settings_in *in, const char *id,
	    const char **msg);

/*
 * Validates a JSON body of settings (an object with any of visibility,
 * timezone, dw_playlist, archive, each at most once, and nothing else),
 * len bytes at p, into out (cleared first) with the validators above.
 * Returns 0, or -1 with a static message for a 400 in *msg.  The cJSON
 * tree never leaves the function.
 */
int	settings_parse(const char *p, size_t len, struct settings_in *out,
	    const char **msg);

/* Copies the settings in has from in into u.  Cannot fail. */
void	settings_apply(const struct settings_in *in, struct user *u);

#endif
