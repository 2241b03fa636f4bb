/*
 * invite.h — invitation codes for `signups = invite`.
 *
 * The owner of an instance runs `linernotes-collector invite`, which
 * prints a new one-time code; a newcomer signs in with it
 * (/api/v0/auth/login?invite=CODE) and the sign-in uses it up.  A code is
 * 22 base64url characters (128 random bits).  The store keeps only its
 * SHA-256, as the meta key "invite.<64 hex digits>" whose i64 value is
 * the Unix second the code stops working.
 *
 * Error convention: 0 / -1.
 */
#ifndef LN_INVITE_H
#define LN_INVITE_H

#define INVITE_CODE_LEN		22
#define INVITE_PREFIX		"invite."
#define INVITE_NAME_SIZE	(sizeof(INVITE_PREFIX) - 1 + 64 + 1)
#define INVITE_TTL_S		(14 * 86400)	/* a code lasts two weeks */

/* Writes a new random code into code. */
void	invite_new(char code[INVITE_CODE_LEN + 1]);

/*
 * Writes the meta key of code into name.  Returns 0, or -1 when code is
 * not INVITE_CODE_LEN base64url characters (no such key can exist).
 */
int	invite_meta_name(const char *code, char name[INVITE_NAME_SIZE]);

#endif
