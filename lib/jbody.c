/*
 * jbody.c — the one strict parser of the JSON request bodies.
 *
 * cJSON does the parsing; around it three checks cJSON does not make:
 * nothing but whitespace after the value (cJSON stops at its end and
 * would take `{"ids":[...]} xyz`), no \u0000 escape and no NUL byte (cJSON
 * keeps strings NUL-terminated, so "public\u0000x" would quietly become
 * "public"), and no duplicate key in any object (which of two values
 * counts is not something a client should have to guess).  The key check
 * sorts each object's keys, so a large body costs n log n, not n².
 */
#include <stdlib.h>
#include <string.h>

#include "jbody.h"

/* Whether the JSON text [p, end) holds a \u0000 escape inside a string. */
static int
jbody_has_nul_escape(const char *p, const char *end)
{
	int in_str = 0;

	for (; p < end; p++) {
		if (!in_str) {
			if (*p == '"')
				in_str = 1;
			continue;
		}
		if (*p == '"')
			in_str = 0;
		else if (*p == '\\' && p + 1 < end) {
			p++;
			if (*p == 'u' && end - p > 4 &&
			    memcmp(p + 1, "0000", 4) == 0)
				return 1;
		}
	}
	return 0;
}

static int
jbody_cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether any object in the tree at n holds a key twice (-1: no memory). */
static int
jbody_has_dup_key(const cJSON *n)
{
	const cJSON *c;
	const char **keys;
	size_t count = 0, i;
	int dup = 0;

	for (; n != NULL; n = n->next) {
		if (n->child != NULL &&
		    (dup = jbody_has_dup_key(n->child)) != 0)
			return dup;
		if (!cJSON_IsObject(n) || n->child == NULL ||
		    n->child->next == NULL)
			continue;
		count = 0;
		for (c = n->child; c != NULL; c = c->next)
			count++;
		if ((keys = reallocarray(NULL, count, sizeof(*keys))) == NULL)
			return -1;
		for (i = 0, c = n->child; c != NULL; c = c->next)
			keys[i++] = c->string;
		qsort(keys, count, sizeof(*keys), jbody_cmp_key);
		for (i = 1; i < count && !dup; i++)
			dup = strcmp(keys[i - 1], keys[i]) == 0;
		free(keys);
		if (dup)
			return 1;
	}
	return 0;
}

int
jbody_parse(const char *p, size_t len, cJSON **root, const char **msg)
{
	const char *end = NULL;
	size_t i;
	int dup;

	*root = NULL;
	if (len > 0 && memchr(p, '\0', len) != NULL) {
		*msg = "the body holds a NUL byte";
		return -1;
	}
	if ((*root = cJSON_ParseWithLengthOpts(p, len, &end, 0)) == NULL) {
		*msg = "the body is not JSON";
		return -1;
	}
	for (i = (size_t)(end - p); i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r') {
			*msg = "the body has text after its JSON value";
			goto fail_tree;
		}
	if (jbody_has_nul_escape(p, end)) {
		*msg = "a string in the body holds \\u0000";
		goto fail_tree;
	}
	if ((dup = jbody_has_dup_key(*root)) != 0) {
		*msg = dup == 1 ? "the body gives a key twice" :
		    "the body could not be checked";
		goto fail_tree;
	}
	return 0;

fail_tree:
	cJSON_Delete(*root);
	*root = NULL;
	return -1;
}
