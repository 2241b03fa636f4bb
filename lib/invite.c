/*
 * invite.c — invitation codes and their meta keys (contract: invite.h).
 */
#include <stdio.h>
#include <string.h>

#include "invite.h"
#include "oauth.h"
#include "sha256.h"

void
invite_new(char code[INVITE_CODE_LEN + 1])
{
	oauth_random(16, code);
}

int
invite_meta_name(const char *code, char name[INVITE_NAME_SIZE])
{
	unsigned char d[SHA256_LEN];
	size_t i, n = strnlen(code, INVITE_CODE_LEN + 1), o;

	if (n != INVITE_CODE_LEN)
		return -1;
	for (i = 0; i < n; i++)
		if (!((code[i] >= '0' && code[i] <= '9') ||
		    (code[i] >= 'A' && code[i] <= 'Z') ||
		    (code[i] >= 'a' && code[i] <= 'z') || code[i] == '-' ||
		    code[i] == '_'))
			return -1;
	sha256(code, n, d);
	o = strlcpy(name, INVITE_PREFIX, INVITE_NAME_SIZE);
	for (i = 0; i < SHA256_LEN; i++, o += 2)
		snprintf(name + o, 3, "%02x", d[i]);
	return 0;
}
