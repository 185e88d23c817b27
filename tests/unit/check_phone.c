/*
 * check_phone.c: phone_e164 over many generated notations of the same numbers (international
 * with '+' or the international prefix, with "(0)" or a stray trunk 0, national with the
 * default country, area codes in brackets, blanks, dashes, slashes and dots anywhere between
 * digits): every notation normalises to the same E.164 number. Junk is refused.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cati/phone.h"

/* A number in its parts: default country, calling code, trunk prefix, international prefix,
   national significant number, length of its area code. */
static const struct sample {
	const char *iso, *cc, *trunk, *idd, *nsn;
	int area;
} samples[] = {
	{ "AT", "43", "0", "00", "6641234567", 3 }, { "AT", "43", "0", "00", "1234567", 1 },
	{ "DE", "49", "0", "00", "301234567", 2 },  { "NL", "31", "0", "00", "201234567", 2 },
	{ "CH", "41", "0", "00", "441234567", 2 },  { "IT", "39", "", "00", "0612345678", 2 },
	{ "US", "1", "1", "011", "2125551234", 3 }, { "HU", "36", "06", "00", "12345678", 1 },
};

static long n_notations;

/* A small deterministic random source. */
static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

/* Append digits to out, a random separator now and then between them; the first area digits
   in brackets when paren. */
static void spell(char *out, size_t n, const char *digits, int area, int paren, uint64_t *seed)
{
	static const char *const seps[] = { " ", "-", "/", ".", "  ", " - " };
	size_t len = strlen(out);
	int i;

	for (i = 0; digits[i] && len + 8 < n; i++) {
		if (paren && i == 0)
			out[len++] = '(';
		out[len++] = digits[i];
		if (paren && i == area - 1) {
			out[len++] = ')';
			out[len++] = ' ';
		} else if (digits[i + 1] && rnd(seed) % 4 == 0) {
			const char *s = seps[rnd(seed) % 6];
			memcpy(out + len, s, strlen(s));
			len += strlen(s);
		}
	}
	out[len] = '\0';
}

/* Every notation of sample k, 200 random spellings of each form, normalises to one number. */
START_TEST(test_notations)
{
	const struct sample *x = &samples[_i];
	char want[PHONE_E164_MAX], got[PHONE_E164_MAX], text[160], nat[64];
	const char *why, *others[] = { "AT", "DE", "NL", "US", NULL };
	uint64_t seed = 0x9e3779b97f4a7c15ULL + (uint64_t)_i;
	int form, r;

	snprintf(want, sizeof want, "+%s%s", x->cc, x->nsn);
	for (form = 0; form < 6; form++) {
		for (r = 0; r < 200; r++) {
			const char *country = x->iso;

			text[0] = '\0';
			switch (form) {
			case 0:   /* +CC NSN, read the same whatever the default country */
				snprintf(text, sizeof text, "+%s%s", x->cc, rnd(&seed) % 2 ? " " : "");
				spell(text, sizeof text, x->nsn, x->area, rnd(&seed) % 3 == 0, &seed);
				country = others[rnd(&seed) % 5];
				break;
			case 1:   /* the international prefix */
				snprintf(text, sizeof text, "%s%s%s", x->idd, rnd(&seed) % 2 ? " " : "", x->cc);
				strcat(text, " ");
				spell(text, sizeof text, x->nsn, x->area, 0, &seed);
				break;
			case 2:   /* +CC (0)NSN, where the trunk prefix is 0 */
				if (strcmp(x->trunk, "0"))
					continue;
				snprintf(text, sizeof text, "+%s (0)%s", x->cc, rnd(&seed) % 2 ? " " : "");
				spell(text, sizeof text, x->nsn, x->area, 0, &seed);
				break;
			case 3:   /* +CC 0NSN: the trunk 0 written where it does not belong */
				if (strcmp(x->trunk, "0"))
					continue;
				snprintf(nat, sizeof nat, "0%s", x->nsn);
				snprintf(text, sizeof text, "+%s ", x->cc);
				spell(text, sizeof text, nat, x->area + 1, 0, &seed);
				break;
			case 4:   /* national, with the trunk prefix */
			case 5:   /* national, the area code in brackets */
				snprintf(nat, sizeof nat, "%s%s", x->trunk, x->nsn);
				spell(text, sizeof text, nat, x->area + (int)strlen(x->trunk), form == 5, &seed);
				break;
			}
			ck_assert_msg(phone_e164(text, country, got, &why) == 0, "'%s' (%s): %s", text,
			              country ? country : "no country", why);
			ck_assert_msg(!strcmp(got, want), "'%s' (%s) gave %s, not %s", text, country ? country : "-", got, want);
			n_notations++;
		}
	}
}
END_TEST

/* phone_each's callback: count the numbers equal to the wanted one. */
static int count_same(void *ctx, const char *e164)
{
	const char **want = ctx;

	if (!strcmp(e164, want[0]))
		want[1] = want[1] ? want[1] + 1 : want[0];
	return 0;
}

/* A phone field with several numbers: each normalised, junk skipped. */
START_TEST(test_each)
{
	const char *ctx[2] = { "+436641234567", NULL };
	int n = phone_each("0664 1234567; +43 (0)664/123 45 67;call me;0043 664 1234567", "AT", count_same, ctx);

	ck_assert_int_eq(n, 3);
	ck_assert_ptr_eq(ctx[1], ctx[0] + 2);
}
END_TEST

/* What is not a number is refused, with a reason. */
START_TEST(test_junk)
{
	static const char *const junk[] = {
		"", "   ", "abc", "0664 12345 ext 9", "+43 664 +123", "664 1234567", "+0 664 1234567",
		"0664", "+43 1", "0000 1234567", "+43 664 1234567 1234567", "0664 1234567#", "0 664 1234567x",
		"+43 664 (0)1234567", "(0)664 1234567", "12", "+", "++43 664 1234567",
	};
	char out[PHONE_E164_MAX];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		why = NULL;
		ck_assert_msg(phone_e164(junk[i], "AT", out, &why) < 0, "'%s' was taken as %s", junk[i], out);
		ck_assert_ptr_nonnull(why);
	}
	ck_assert_int_lt(phone_e164("0664 1234567", NULL, out, &why), 0);    /* national, no country */
	ck_assert_int_lt(phone_e164("0664 1234567", "XX", out, &why), 0);    /* unknown country */
	ck_assert_int_eq(phone_e164("+43 664 1234567", NULL, out, &why), 0); /* international needs none */
	ck_assert_str_eq(out, "+436641234567");
	ck_assert_int_eq(phone_country_known("at"), 1);
	ck_assert_int_eq(phone_country_known("XX"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("phone");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_notations, 0, (int)(sizeof samples / sizeof samples[0]));
	tcase_add_test(tc, test_each);
	tcase_add_test(tc, test_junk);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("phone: %ld notations of %zu numbers normalised alike\n", n_notations, sizeof samples / sizeof samples[0]);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
