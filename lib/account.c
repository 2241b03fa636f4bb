/*
 * account.c — the merge of what Spotify said about a user (a profile from
 * /v1/me, tokens from the token endpoint) into the stored user record
 * (account.h): the one rule the collector and the reader's sign-in share.
 */
#include <string.h>

#include "account.h"

void
account_apply(const struct user *from, unsigned parts, struct user *u)
{
	if (parts & ACCOUNT_BIT(ACCOUNT_PROFILE)) {
		memcpy(u->display_name, from->display_name,
		    sizeof(u->display_name));
		memcpy(u->country, from->country, sizeof(u->country));
		memcpy(u->product, from->product, sizeof(u->product));
		memcpy(u->image_url, from->image_url, sizeof(u->image_url));
	}
	if (parts & ACCOUNT_BIT(ACCOUNT_TOKENS)) {
		memcpy(u->access_token, from->access_token,
		    sizeof(u->access_token));
		if (from->refresh_token[0] != '\0')
			memcpy(u->refresh_token, from->refresh_token,
			    sizeof(u->refresh_token));
		u->token_expires = from->token_expires;
	}
}

void
account_wipe_tokens(struct user *u)
{
	explicit_bzero(u->access_token, sizeof(u->access_token));
	explicit_bzero(u->refresh_token, sizeof(u->refresh_token));
}

void
account_authorized(struct user *u, int64_t at)
{
	u->authorized_at = at;
	u->next_plays = u->next_top = u->next_dw = u->next_profile = 0;
}
