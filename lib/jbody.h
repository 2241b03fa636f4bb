/*
 * jbody.h — strict parsing of the JSON request bodies.
 *
 * cJSON is lenient where a request body must not be: it stops a string at
 * a \u0000 escape (so "public\u0000x" reads as "public"), ignores text
 * after the value and keeps duplicate keys.  Every request body goes
 * through jbody_parse(), which refuses all three.
 *
 * Error convention: 0 or -1 with a message for a 400.
 */
#ifndef LN_JBODY_H
#define LN_JBODY_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * Parses the len bytes at p as one JSON value, with only JSON whitespace
 * after it, no \u0000 escape and no NUL byte anywhere, and no object with
 * the same key twice (compared after unescaping).  Returns 0 with *root
 * the tree (the caller frees it with cJSON_Delete() before it returns:
 * trees never leave the function that asked for them), or -1 with *root
 * NULL and *msg a static message for the client.
 */
int	jbody_parse(const char *p, size_t len, cJSON **root, const char **msg);

#endif
