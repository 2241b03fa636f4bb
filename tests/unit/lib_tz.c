/*
 * lib_tz.c — unit tests of lib/tz.c.
 *
 * The reference is the C library: glibc's localtime_r() under a switched
 * TZ (fine in a test, which is single-threaded) reads the same TZif files
 * with an independent implementation, so every zone of the list below is
 * compared with it at pseudo-random instants from 1970 to 2100 (well past
 * the last stored transition, where the footer rule alone decides), plus
 * the instants right before and after each of tz_span()'s bounds.  Known
 * answers for a few transitions and the POSIX-rule corner cases (southern
 * hemisphere, negative and >24 h rule times, permanent daylight time)
 * are spelled out too, and damaged files and hostile names are refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"
#include "tz.h"

static const char *const zones[] = {
	"Europe/Berlin", "Europe/London", "Europe/Dublin", "America/New_York",
	"America/Sao_Paulo", "America/St_Johns", "America/Santiago",
	"America/Nuuk", "America/Godthab", "Asia/Kolkata", "Asia/Kathmandu",
	"Asia/Tehran", "Asia/Jerusalem", "Australia/Sydney",
	"Australia/Adelaide", "Australia/Lord_Howe", "Pacific/Chatham",
	"Pacific/Apia", "Pacific/Kiritimati", "Africa/Casablanca",
	"Africa/Cairo", "Europe/Moscow", "America/Havana", "Asia/Gaza",
	"Antarctica/Troll", "America/Los_Angeles", "Etc/GMT+5", "UTC",
};

/* glibc's offset of zone at t (sets TZ). */
static long
libc_offset(const char *zone, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;

	setenv("TZ", zone, 1);
	tzset();
	assert_non_null(localtime_r(&tt, &tm));
	return tm.tm_gmtoff;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

/* Proves tz_offset agrees with glibc for every zone at 3000 instants. */
static void
test_against_libc(void **state)
{
	const int64_t lo = 0, hi = INT64_C(4102444800);	/* 1970..2100 */
	const struct tz *z;
	struct tz *own;
	int64_t t, slo, shi;
	size_t i;
	int k;

	(void)state;
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		assert_int_equal(tz_load(&own, zones[i]), 0);
		for (k = 0; k < 3000; k++) {
			t = lo + (int64_t)(tu_rand(&rng) % (uint64_t)(hi - lo));
			if (tz_offset(own, t) != libc_offset(zones[i], t))
				fail_msg("%s at %lld: ours %d, libc %ld",
				    zones[i], (long long)t,
				    tz_offset(own, t),
				    libc_offset(zones[i], t));
			/* The span holds t and one offset, and ends where
			 * the offset (or at least the data) changes. */
			(void)tz_span(own, t, &slo, &shi);
			assert_true(slo <= t && t < shi);
			if (slo > INT64_MIN)
				assert_int_equal(tz_offset(own, slo),
				    libc_offset(zones[i], slo));
			if (shi < INT64_MAX) {
				assert_int_equal(tz_offset(own, shi - 1),
				    libc_offset(zones[i], shi - 1));
				assert_int_equal(tz_offset(own, shi),
				    libc_offset(zones[i], shi));
			}
		}
		/* The cache hands out an equal zone. */
		assert_int_equal(tz_cache_get(zones[i], &z), 0);
		assert_string_equal(tz_name(z), zones[i]);
		assert_int_equal(tz_offset(z, 1700000000), tz_offset(own,
		    1700000000));
		tz_free(own);
	}
	unsetenv("TZ");
	tzset();
}

/* Proves known transitions: Berlin 2024, Sydney, Kathmandu, Lord Howe. */
static void
test_known(void **state)
{
	struct tz *z;
	int64_t lo, hi;

	(void)state;
	assert_int_equal(tz_load(&z, "Europe/Berlin"), 0);
	/* 2024-03-31 01:00:00 UTC: CET -> CEST. */
	assert_int_equal(tz_offset(z, 1711846799), 3600);
	assert_int_equal(tz_offset(z, 1711846800), 7200);
	/* 2024-10-27 01:00:00 UTC: back to CET. */
	assert_int_equal(tz_offset(z, 1729990799), 7200);
	assert_int_equal(tz_offset(z, 1729990800), 3600);
	assert_int_equal(tz_span(z, 1720000000, &lo, &hi), 7200);
	assert_int_equal(lo, 1711846800);
	assert_int_equal(hi, 1729990800);
	/* 2090, far past the stored transitions: the footer rule.
	 * 2090-03-26 01:00 UTC (last Sunday of March). */
	assert_int_equal(tz_offset(z, INT64_C(3794173200) - 1), 3600);
	assert_int_equal(tz_offset(z, INT64_C(3794173200)), 7200);
	tz_free(z);

	assert_int_equal(tz_load(&z, "Asia/Kathmandu"), 0);
	assert_int_equal(tz_offset(z, 1700000000), 5 * 3600 + 45 * 60);
	tz_free(z);
	assert_int_equal(tz_load(&z, "Australia/Lord_Howe"), 0);
	/* Half-hour daylight saving: +10:30 in July, +11:00 in January. */
	assert_int_equal(tz_offset(z, 1720000000), 10 * 3600 + 1800);
	assert_int_equal(tz_offset(z, 1705000000), 11 * 3600);
	tz_free(z);
	assert_int_equal(tz_load(&z, ""), 0);
	assert_string_equal(tz_name(z), "UTC");
	assert_int_equal(tz_span(z, 5, &lo, &hi), 0);
	assert_true(lo == INT64_MIN && hi == INT64_MAX);
	tz_free(z);
}

/* Writes a minimal v2 TZif file with one type and the given footer. */
static void
write_tzif(const char *path, const char *footer, int damaged)
{
	unsigned char h[44];
	FILE *f;

	memset(h, 0, sizeof(h));
	memcpy(h, "TZif2", 5);
	h[39] = 1;		/* typecnt */
	h[43] = 4;		/* charcnt */
	assert_non_null(f = fopen(path, "wb"));
	/* v1 block: one ttinfo (utoff 0), "UTC\0". */
	fwrite(h, 1, 44, f);
	fwrite("\0\0\0\0\0\0UTC", 1, 10, f);
	fwrite(h, 1, 44, f);
	fwrite(damaged ? "\0\0\0\0\7\0UTC" : "\0\0\0\0\0\0UTC", 1, 10, f);
	fprintf(f, "\n%s\n", footer);
	fclose(f);
}

/* Proves POSIX footer rules that no shipped zone may exercise today. */
static void
test_footer_rules(void **state)
{
	const struct tu_zone *zf = *state;
	struct tz *z;

	/* Permanent daylight time: J1/0 .. J365/25 (the tzfile(5) idiom). */
	write_tzif(zf->path, "EST5EDT,0/0,J365/25", 0);
	assert_int_equal(tu_zone_load(&z, zf), 0);
	assert_int_equal(tz_offset(z, 1700000000), -4 * 3600);
	assert_int_equal(tz_offset(z, 1704085200), -4 * 3600); /* new year */
	assert_int_equal(tz_offset(z, 1719800000), -4 * 3600);
	tz_free(z);

	/* Southern hemisphere with negative and 24+ hour times. */
	write_tzif(zf->path, "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", 0);
	assert_int_equal(tu_zone_load(&z, zf), 0);
	assert_int_equal(tz_offset(z, 1720000000), -2 * 3600);	/* July */
	assert_int_equal(tz_offset(z, 1705000000), -3 * 3600);	/* January */
	tz_free(z);

	/* No daylight time at all; a quoted abbreviation. */
	write_tzif(zf->path, "<+0545>-5:45", 0);
	assert_int_equal(tu_zone_load(&z, zf), 0);
	assert_int_equal(tz_offset(z, 1720000000), 5 * 3600 + 45 * 60);
	tz_free(z);

	/* Damaged: a type with isdst 7; rules that do not parse. */
	write_tzif(zf->path, "UTC0", 1);
	assert_int_equal(tu_zone_load(&z, zf), -1);
	write_tzif(zf->path, "CET-1CEST,M3.5.0,M13.5.0", 0);
	assert_int_equal(tu_zone_load(&z, zf), -1);
	write_tzif(zf->path, "CET-1CEST,M3.5.0", 0);
	assert_int_equal(tu_zone_load(&z, zf), -1);
	write_tzif(zf->path, "C-1", 0);
	assert_int_equal(tu_zone_load(&z, zf), -1);
}

/* Proves hostile and unknown names are refused before any file opens. */
static void
test_names(void **state)
{
	static const char *const bad[] = {
		"../etc/passwd", "/etc/localtime", "Europe//Berlin",
		"Europe/", ".hidden", "Europe/.Berlin", "Europe/Ber lin",
		"Europe\\Berlin", "Europe/Berlin\n",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	const struct tz *cz;
	struct tz *z;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(tz_valid_name(bad[i]));
		assert_int_equal(tz_load(&z, bad[i]), -1);
		assert_null(z);
		assert_int_equal(tz_cache_get(bad[i], &cz), -1);
	}
	assert_true(tz_valid_name("America/Argentina/Buenos_Aires"));
	assert_true(tz_valid_name("Etc/GMT-14"));
	assert_int_equal(tz_load(&z, "Mars/Olympus_Mons"), -1);
	/* A directory is not a zone. */
	assert_int_equal(tz_load(&z, "Europe"), -1);
	/* More zones than the cache holds: all still answer correctly. */
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		assert_int_equal(tz_cache_get(zones[i], &cz), 0);
	assert_int_equal(tz_cache_get("Asia/Kolkata", &cz), 0);
	assert_int_equal(tz_offset(cz, 1700000000), 19800);
	tz_cache_clear();
}

TU_MAIN(NULL, NULL,
	cmocka_unit_test(test_against_libc),
	cmocka_unit_test(test_known),
	cmocka_unit_test_setup_teardown(test_footer_rules, tu_zone_setup,
	    tu_zone_teardown),
	cmocka_unit_test(test_names),
)
