/*
 * valid.c — the validators of valid.h: the only code that turns untrusted
 * request strings into typed values.
 *
 * Id charsets come from lib/ids.h so the reader accepts exactly what the
 * store can hold; numbers go through strtonum(3) with explicit bounds.
 */
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "timeutil.h"
#include "valid.h"

int
valid_user_id(const char *s, char out[USER_ID_MAX + 1])
{
	if (!ids_valid_user(s))
		return -1;
	strlcpy(out, s, USER_ID_MAX + 1);
	return 0;
}

int
valid_entity_id(const char *s, char out[ID_LEN + 1])
{
	if (!ids_valid_any(s))
		return -1;
	memcpy(out, s, ID_LEN);
	out[ID_LEN] = '\0';
	return 0;
}

int
valid_int(const char *s, long long min, long long max, long long *out)
{
	const char *errstr;
	long long v;

	/* strtonum skips leading blanks and takes '+': refuse both. */
	if (*s != '-' && (*s < '0' || *s > '9'))
		return -1;
	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		return -1;
	*out = v;
	return 0;
}

int
valid_word(const char *s, const char *const *words, int n, int *out)
{
	int i;

	if ((i = schema_word_index(words, (size_t)n, s)) == -1)
		return -1;
	*out = i;
	return 0;
}

int
valid_id_list(const char *s, char sep, char ids[][ID_LEN + 1], int max,
    int *n)
{
	char one[ID_LEN + 1];
	const char *p = s;
	size_t len;
	int k = 0;

	for (;;) {
		len = strcspn(p, (char[]){ sep, '\0' });
		if (len != ID_LEN || k == max)
			return -1;
		memcpy(one, p, ID_LEN);
		one[ID_LEN] = '\0';
		if (valid_entity_id(one, ids[k]) == -1)
			return -1;
		k++;
		p += len;
		if (*p == '\0')
			break;
		p++;
	}
	*n = k;
	return 0;
}

int
valid_media_type(const char *s, const char *media)
{
	size_t n = strlen(media);
	const char *p;

	if (strncasecmp(s, media, n) != 0)
		return 0;
	p = s + n;
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return 1;
	if (*p++ != ';')
		return 0;
	while (*p == ' ')
		p++;
	return strcasecmp(p, "charset=utf-8") == 0 ||
	    strcasecmp(p, "charset=\"utf-8\"") == 0;
}

int
valid_token(const char *s, size_t min, size_t max, char *out, size_t outsz)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++) {
		if (n == max)
			return -1;
		if (!((s[n] >= '0' && s[n] <= '9') ||
		    (s[n] >= 'A' && s[n] <= 'Z') ||
		    (s[n] >= 'a' && s[n] <= 'z') ||
		    strchr("._~+/=-", s[n]) != NULL))
			return -1;
	}
	if (n < min || n >= outsz)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

int
valid_error_word(const char *s, size_t max, char *out, size_t outsz)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (n == max || !((s[n] >= 'a' && s[n] <= 'z') || s[n] == '_'))
			return -1;
	if (n == 0 || n >= outsz)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

int
valid_date(const char *s, int32_t *out)
{
	static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31,
		30, 31, 30, 31 };
	int64_t y, yy;
	unsigned m, d, mm, dd;
	int i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return -1;
		} else if (s[i] < '0' || s[i] > '9')
			return -1;
	}
	if (s[10] != '\0')
		return -1;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	/* 29 February of a common year comes back as 1 March. */
	time_civil_from_days(time_days_from_civil(y, m, d), &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return -1;
	*out = (int32_t)time_days_from_civil(y, m, d);
	return 0;
}
