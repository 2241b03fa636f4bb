/*
 * settings.c — the validators of a journal's settings, the JSON body that
 * carries a change of them, and their application to a user record
 * (settings.h): the one place the API and the collector's set-user learn
 * what a valid setting is.
 */
#include <string.h>

#include <cjson/cJSON.h>

#include "ids.h"
#include "jbody.h"
#include "settings.h"
#include "tz.h"

const char *const settings_names[SET__MAX] = {
	"visibility",	/* SET_VISIBILITY */
	"timezone",	/* SET_TIMEZONE */
	"dw_playlist",	/* SET_DW_PLAYLIST */
	"archive",	/* SET_ARCHIVE */
};

const char *const settings_visibility_names[VIS__MAX] = {
	"private",	/* VIS_PRIVATE */
	"public",	/* VIS_PUBLIC */
};

int
settings_key(const char *name)
{
	return SCHEMA_INDEX(settings_names, name);
}

int
settings_set_visibility(struct settings_in *in, const char *s,
    const char **msg)
{
	int i;

	if ((i = SCHEMA_INDEX(settings_visibility_names, s)) == -1) {
		*msg = "visibility must be public or private";
		return -1;
	}
	in->visibility = i;
	in->has |= SET_BIT(SET_VISIBILITY);
	return 0;
}

int
settings_set_timezone(struct settings_in *in, const char *s,
    const char **msg)
{
	const struct tz *zone;

	/* A name the zone files know; "" and UTC are UTC. */
	if (strlen(s) >= sizeof(in->timezone) || (s[0] != '\0' &&
	    (!tz_valid_name(s) || tz_cache_get(s, &zone) == -1))) {
		*msg = "timezone must be an IANA time zone name such as "
		    "Europe/Stockholm";
		return -1;
	}
	(void)strlcpy(in->timezone, strcmp(s, "UTC") == 0 ? "" : s,
	    sizeof(in->timezone));
	in->has |= SET_BIT(SET_TIMEZONE);
	return 0;
}

int
settings_set_dw_playlist(struct settings_in *in, const char *s,
    const char **msg)
{
	if (s[0] != '\0' && !ids_valid_spotify(s)) {
		*msg = "dw_playlist must be a playlist id or \"\"";
		return -1;
	}
	(void)strlcpy(in->dw_playlist, s, sizeof(in->dw_playlist));
	in->has |= SET_BIT(SET_DW_PLAYLIST);
	return 0;
}

void
settings_clear_archive(struct settings_in *in)
{
	memset(in->archive, 0, sizeof(in->archive));
	in->n_archive = 0;
	in->has |= SET_BIT(SET_ARCHIVE);
}

int
settings_add_archive(struct settings_in *in, const char *id,
    const char **msg)
{
	int i;

	if (!ids_valid_spotify(id)) {
		*msg = "archive must be a list of playlist ids";
		return -1;
	}
	for (i = 0; i < in->n_archive; i++)
		if (strcmp(in->archive[i], id) == 0)
			return 0;		/* drop repeats */
	if (in->n_archive == ARCHIVE_MAX) {
		*msg = "archive holds at most 8 playlists";
		return -1;
	}
	memcpy(in->archive[in->n_archive++], id, ID_LEN + 1);
	return 0;
}

void
settings_apply(const struct settings_in *in, struct user *u)
{
	int i;

	if (in->has & SET_BIT(SET_VISIBILITY))
		u->visibility = (uint8_t)in->visibility;
	if (in->has & SET_BIT(SET_TIMEZONE))
		memcpy(u->timezone, in->timezone, sizeof(u->timezone));
	if (in->has & SET_BIT(SET_DW_PLAYLIST))
		memcpy(u->dw_playlist, in->dw_playlist,
		    sizeof(u->dw_playlist));
	if (in->has & SET_BIT(SET_ARCHIVE)) {
		memset(u->archive, 0, sizeof(u->archive));
		for (i = 0; i < in->n_archive && i < ARCHIVE_MAX; i++)
			memcpy(u->archive[i], in->archive[i], ID_LEN + 1);
		u->n_archive = (uint8_t)in->n_archive;
	}
}

/* ---- a JSON body of settings (PUT /api/v0/settings) ---------------------- */

/* The one-string settings: their setter, the message for another type. */
static const struct {
	int		(*set)(struct settings_in *, const char *,
			    const char **);
	const char	*not_string;
} settings_strings[SET__MAX] = {
	[SET_VISIBILITY] = { settings_set_visibility,
	    "visibility must be public or private" },
	[SET_TIMEZONE] = { settings_set_timezone, "timezone must be an IANA "
	    "time zone name such as Europe/Stockholm" },
	[SET_DW_PLAYLIST] = { settings_set_dw_playlist,
	    "dw_playlist must be a playlist id or \"\"" },
};

int
settings_parse(const char *p, size_t len, struct settings_in *out,
    const char **msg)
{
	cJSON *root, *f, *it;
	int k;

	memset(out, 0, sizeof(*out));
	*msg = NULL;
	if (jbody_parse(p, len, &root, msg) == -1)
		return -1;
	if (!cJSON_IsObject(root) || root->child == NULL)
		*msg = "the body must be an object with at least one of "
		    "visibility, timezone, dw_playlist, archive";
	for (f = cJSON_IsObject(root) ? root->child : NULL;
	    f != NULL && *msg == NULL; f = f->next) {
		if ((k = settings_key(f->string)) == -1) {
			*msg = "unknown setting (allowed: visibility, "
			    "timezone, dw_playlist, archive)";
			break;
		}
		if (out->has & SET_BIT(k)) {
			*msg = "a setting is given twice";
			break;
		}
		if (k != SET_ARCHIVE) {
			if (!cJSON_IsString(f))
				*msg = settings_strings[k].not_string;
			else
				(void)settings_strings[k].set(out,
				    f->valuestring, msg);
			continue;
		}
		if (!cJSON_IsArray(f)) {
			*msg = "archive must be a list of playlist ids";
			break;
		}
		settings_clear_archive(out);
		cJSON_ArrayForEach(it, f) {
			if (!cJSON_IsString(it)) {
				*msg = "archive must be a list of playlist ids";
				break;
			}
			if (settings_add_archive(out, it->valuestring,
			    msg) == -1)
				break;
		}
	}
	cJSON_Delete(root);
	return *msg == NULL ? 0 : -1;
}
