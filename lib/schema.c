/*
 * schema.c — the words of schema.h's enums.
 *
 * Each enum that reaches people (API answers, exports, command output) is
 * named here once, in a table parallel to the enum, so the reader, the
 * export writers and the collector cannot drift apart; schema_word() and
 * schema_word_index() turn a value into its word and back, for these
 * tables and every other table of words.
 */
#include <string.h>

#include "schema.h"

const char *const schema_sources[SOURCE__MAX] = {
	"api",		/* SOURCE_API */
	"extended",	/* SOURCE_EXTENDED */
	"account",	/* SOURCE_ACCOUNT */
};

const char *const schema_hows[PLAYLIST__MAX] = {
	"full",		/* PLAYLIST_FULL */
	"heard",	/* PLAYLIST_HEARD */
};

const char *const schema_kinds[TOP_KIND__MAX] = {
	"tracks",	/* TOP_TRACKS */
	"artists",	/* TOP_ARTISTS */
};

const char *const schema_ranges[RANGE__MAX] = {
	"short_term",	/* RANGE_SHORT */
	"medium_term",	/* RANGE_MEDIUM */
	"long_term",	/* RANGE_LONG */
};

const char *const schema_gap_reasons[GAP__MAX] = {
	"overflow",	/* GAP_OVERFLOW */
	"unreachable",	/* GAP_UNREACHABLE */
	"reauth",	/* GAP_REAUTH */
};

const char *const schema_statuses[USER_STATUS__MAX] = {
	"active",	/* USER_ACTIVE */
	"reauth",	/* USER_REAUTH */
	"disabled",	/* USER_DISABLED */
};

const char *const schema_import_statuses[IMPORT_STATUS__MAX] = {
	"queued",	/* IMPORT_QUEUED */
	"importing",	/* IMPORT_IMPORTING */
	"done",		/* IMPORT_DONE */
	"failed",	/* IMPORT_FAILED */
	"undoing",	/* IMPORT_UNDOING */
	"undone",	/* IMPORT_UNDONE */
};

const char *const schema_import_media[IMPORT_MEDIA__MAX] = {
	"application/json",	/* IMPORT_MEDIA_JSON */
	"application/zip",	/* IMPORT_MEDIA_ZIP */
};

const char *
schema_word(const char *const *words, size_t n, unsigned v)
{
	return v < n ? words[v] : "unknown";
}

int
schema_word_index(const char *const *words, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, words[i]) == 0)
			return (int)i;
	return -1;
}
