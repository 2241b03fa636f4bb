/*
 * lib_oauth.c — unit tests of lib/oauth.c.
 *
 * They prove: the PKCE challenge of RFC 7636's Appendix B example; base64url
 * without padding for every remainder length (RFC 4648's test strings,
 * with '-' and '_' for the last two digits); random strings of the
 * promised length and alphabet that differ from call to call; form
 * escaping of everything outside the unreserved set, and refusal when the
 * output does not fit; the token answer read with and without a refresh
 * token, with errors, and with a token too long to keep (refused, not
 * cut); /v1/me with a valid and an invalid id; the constant-time
 * comparison; and the URL rule (https, or http to loopback only).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "oauth.h"
#include "testutil.h"

static void
test_pkce_rfc7636(void **state)
{
	char ch[OAUTH_CHALLENGE_SIZE];

	(void)state;
	oauth_pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", ch);
	assert_string_equal(ch, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

static void
test_b64url(void **state)
{
	static const struct {
		const char	*in, *out;
	} v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg" }, { "fooba", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const unsigned char hi[] = { 0xfb, 0xff, 0xbf };
	char out[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		oauth_b64url(v[i].in, strlen(v[i].in), out);
		assert_string_equal(out, v[i].out);
		assert_int_equal(strlen(out) + 1,
		    OAUTH_B64URL_SIZE(strlen(v[i].in)));
	}
	oauth_b64url(hi, sizeof(hi), out);
	assert_string_equal(out, "-_-_");
}

static void
test_random(void **state)
{
	char a[OAUTH_B64URL_SIZE(48)], b[OAUTH_B64URL_SIZE(48)];
	size_t i;

	(void)state;
	oauth_random(48, a);
	oauth_random(48, b);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strlen(b), 64);
	assert_string_not_equal(a, b);
	for (i = 0; i < 64; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_", a[i]));
	oauth_random(32, a);
	assert_int_equal(strlen(a), 43);
}

static void
test_form_escape(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(oauth_form_escape(out, sizeof(out),
	    "aZ09-._~ +&=/?%\xc3\xa9"), 0);
	assert_string_equal(out, "aZ09-._~%20%2B%26%3D%2F%3F%25%C3%A9");
	assert_int_equal(oauth_form_escape(out, 4, "abc"), 0);
	assert_string_equal(out, "abc");
	assert_int_equal(oauth_form_escape(out, 3, "abc"), -1);
	assert_int_equal(oauth_form_escape(out, 3, "a "), -1);
	assert_int_equal(oauth_form_escape(out, 4, "a "), -1);
	assert_int_equal(oauth_form_escape(out, 5, "a "), 0);
	assert_int_equal(oauth_form_escape(out, 1, ""), 0);
	assert_string_equal(out, "");
}

static void
test_parse_token(void **state)
{
	struct oauth_token t;
	char big[TOKEN_MAX + 64], json[TOKEN_MAX + 128];
	cJSON *d;

	(void)state;
	d = cJSON_Parse("{\"access_token\":\"AT\",\"token_type\":\"Bearer\","
	    "\"expires_in\":3600,\"refresh_token\":\"RT\",\"scope\":\"x\"}");
	assert_int_equal(oauth_parse_token(d, &t), 0);
	assert_string_equal(t.access_token, "AT");
	assert_string_equal(t.refresh_token, "RT");
	assert_int_equal(t.expires_in, 3600);
	cJSON_Delete(d);

	d = cJSON_Parse("{\"access_token\":\"AT2\",\"expires_in\":-5}");
	assert_int_equal(oauth_parse_token(d, &t), 0);
	assert_string_equal(t.refresh_token, "");	/* keep the old one */
	assert_int_equal(t.expires_in, 3600);
	cJSON_Delete(d);

	/* A rotated refresh token, no expires_in: an hour. */
	d = cJSON_Parse("{\"access_token\":\"AT\",\"refresh_token\":\"RT2\"}");
	assert_int_equal(oauth_parse_token(d, &t), 0);
	assert_string_equal(t.refresh_token, "RT2");
	assert_int_equal(t.expires_in, 3600);
	cJSON_Delete(d);

	d = cJSON_Parse("{\"error\":\"invalid_grant\","
	    "\"error_description\":\"Invalid authorization code\"}");
	assert_int_equal(oauth_parse_token(d, &t), -1);
	assert_string_equal(t.error, "invalid_grant");
	cJSON_Delete(d);

	memset(big, 'x', TOKEN_MAX + 1);
	big[TOKEN_MAX + 1] = '\0';
	snprintf(json, sizeof(json), "{\"access_token\":\"%s\"}", big);
	d = cJSON_Parse(json);
	assert_int_equal(oauth_parse_token(d, &t), -1);
	assert_string_equal(t.access_token, "");
	cJSON_Delete(d);

	d = cJSON_Parse("[1]");
	assert_int_equal(oauth_parse_token(d, &t), -1);
	cJSON_Delete(d);
	assert_int_equal(oauth_parse_token(NULL, &t), -1);
}

static void
test_parse_me(void **state)
{
	struct user u;
	cJSON *d;

	(void)state;
	memset(&u, 0, sizeof(u));
	d = cJSON_Parse("{\"id\":\"user1\",\"display_name\":\"Zo\\u00eb\","
	    "\"country\":\"SE\",\"product\":\"premium\",\"email\":\"x@y\","
	    "\"images\":[{\"url\":\"https://i/1\"}]}");
	assert_int_equal(oauth_parse_me(d, &u), 0);
	assert_string_equal(u.id, "user1");
	assert_string_equal(u.display_name, "Zo\xc3\xab");
	assert_string_equal(u.country, "SE");
	assert_string_equal(u.product, "premium");
	assert_string_equal(u.image_url, "https://i/1");
	cJSON_Delete(d);

	/* A user id of [._-] too, a name in raw UTF-8. */
	memset(&u, 0, sizeof(u));
	d = cJSON_Parse("{\"id\":\"user.name-1\",\"display_name\":\"Zoë\","
	    "\"images\":[{\"url\":\"https://i/x\"}]}");
	assert_int_equal(oauth_parse_me(d, &u), 0);
	assert_string_equal(u.id, "user.name-1");
	assert_string_equal(u.display_name, "Zoë");
	assert_string_equal(u.image_url, "https://i/x");
	cJSON_Delete(d);

	memset(&u, 0, sizeof(u));
	d = cJSON_Parse("{\"id\":\"bad id!\"}");
	assert_int_equal(oauth_parse_me(d, &u), -1);
	cJSON_Delete(d);
	d = cJSON_Parse("{\"display_name\":\"x\"}");
	assert_int_equal(oauth_parse_me(d, &u), -1);
	cJSON_Delete(d);
	d = cJSON_Parse("{\"id\":\"bad id\"}");
	assert_int_equal(oauth_parse_me(d, &u), -1);
	cJSON_Delete(d);
}

static void
test_bcmp(void **state)
{
	(void)state;
	assert_int_equal(oauth_bcmp("abcdef", "abcdef", 6), 0);
	assert_int_not_equal(oauth_bcmp("abcdef", "abcdeg", 6), 0);
	assert_int_not_equal(oauth_bcmp("xbcdef", "abcdef", 6), 0);
	assert_int_equal(oauth_bcmp("abcdef", "abcdeg", 5), 0);
	assert_int_equal(oauth_bcmp("", "x", 0), 0);
}

static void
test_url_allowed(void **state)
{
	(void)state;
	assert_true(oauth_url_allowed("https://accounts.spotify.com"));
	assert_true(oauth_url_allowed("http://127.0.0.1:8080/x"));
	assert_true(oauth_url_allowed("http://127.1.2.3"));
	assert_true(oauth_url_allowed("http://[::1]:9/"));
	assert_true(oauth_url_allowed("http://localhost:1"));
	assert_false(oauth_url_allowed("https://"));
	assert_false(oauth_url_allowed("http://example.org"));
	assert_false(oauth_url_allowed("http://127.0.0.1.evil.org/"));
	assert_false(oauth_url_allowed("http://127.0.0.1@evil.example/"));
	assert_false(oauth_url_allowed("http://localhost.evil.example/"));
	assert_false(oauth_url_allowed("http://api.spotify.com/v1"));
	assert_false(oauth_url_allowed("http://10.0.0.1/"));
	assert_false(oauth_url_allowed("http://[::2]/"));
	assert_false(oauth_url_allowed("http://128.0.0.1/"));
	assert_false(oauth_url_allowed("ftp://127.0.0.1/"));
	assert_false(oauth_url_allowed(""));
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_pkce_rfc7636),
	cmocka_unit_test(test_b64url),
	cmocka_unit_test(test_random),
	cmocka_unit_test(test_form_escape),
	cmocka_unit_test(test_parse_token),
	cmocka_unit_test(test_parse_me),
	cmocka_unit_test(test_bcmp),
	cmocka_unit_test(test_url_allowed),
)
