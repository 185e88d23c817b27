/* phone.c: telephone numbers to international form (E.164) for the do-not-call list. Pure. */
#include "cati/phone.h"
#include "cati/i18n.h"
#include "cati/util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A country's dialling: its ISO code, calling code, international and trunk prefixes. */
struct dialling {
	const char *iso, *cc, *idd, *trunk;
};

/* The countries whose national notation phone_e164 reads ("" trunk: numbers are dialled in
   full at home, like Italy's 06...). */
static const struct dialling countries[] = {
	{ "AT", "43", "00", "0" },  { "DE", "49", "00", "0" },   { "CH", "41", "00", "0" },
	{ "LI", "423", "00", "" },  { "NL", "31", "00", "0" },   { "BE", "32", "00", "0" },
	{ "LU", "352", "00", "" },  { "FR", "33", "00", "0" },   { "GB", "44", "00", "0" },
	{ "IE", "353", "00", "0" }, { "IT", "39", "00", "" },    { "ES", "34", "00", "" },
	{ "PT", "351", "00", "" },  { "DK", "45", "00", "" },    { "NO", "47", "00", "" },
	{ "SE", "46", "00", "0" },  { "FI", "358", "00", "0" },  { "PL", "48", "00", "" },
	{ "CZ", "420", "00", "" },  { "SK", "421", "00", "0" },  { "HU", "36", "00", "06" },
	{ "SI", "386", "00", "0" }, { "HR", "385", "00", "0" },  { "GR", "30", "00", "" },
	{ "TR", "90", "00", "0" },  { "US", "1", "011", "1" },   { "CA", "1", "011", "1" },
	{ "AU", "61", "0011", "0" }, { "NZ", "64", "00", "0" },
};

/* The dialling of country (ISO code, any case), or NULL. */
static const struct dialling *dialling_of(const char *country)
{
	size_t i;

	for (i = 0; country && i < sizeof countries / sizeof countries[0]; i++)
		if (!strcasecmp(countries[i].iso, country))
			return &countries[i];
	return NULL;
}

/* Is country one of the table's? */
int phone_country_known(const char *country)
{
	return dialling_of(country) != NULL;
}

/* The country whose calling code starts digits (the longest such code), or NULL. */
static const struct dialling *dialling_by_code(const char *digits)
{
	const struct dialling *best = NULL;
	size_t i;

	for (i = 0; i < sizeof countries / sizeof countries[0]; i++)
		if (!strncmp(digits, countries[i].cc, strlen(countries[i].cc)) &&
		    (!best || strlen(countries[i].cc) > strlen(best->cc)))
			best = &countries[i];
	return best;
}

/* One number in any notation to E.164, or why not (see phone.h). */
int phone_e164(const char *in, const char *country, char out[PHONE_E164_MAX], const char **why)
{
	const struct dialling *home = country && *country ? dialling_of(country) : NULL;
	char digits[64];
	char res[96];
	const char *p, *nat;
	size_t n = 0, cut = 0;
	int plus = 0, intl = 0, trunk_group = -1;

	*out = '\0';
	if (country && *country && !home)
		return *why = "unknown default country", -1;
	/* the digits, where the '+' stood, and a "(0)" group (a trunk prefix written in brackets) */
	for (p = in; *p; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof digits)
				return *why = "too many digits (at most 15)", -1;
			digits[n++] = *p;
		} else if (*p == '+') {
			if (plus || n)
				return *why = "'+' must come first", -1;
			plus = 1;
		} else if (*p == '(' && p[1] == '0' && p[2] == ')') {
			trunk_group = (int)n;
			p += 2;
		} else if (isalpha((unsigned char)*p)) {
			return *why = "letters are not part of a phone number", -1;
		} else if (!strchr(" \t-/.()", *p)) {
			return *why = "only digits, spaces, + - ( ) / . are allowed", -1;
		}
	}
	digits[n] = '\0';
	if (!n)
		return *why = "no digits", -1;
	/* international: '+', or the international prefix of the home country (00 without one) */
	if (plus) {
		intl = 1;
	} else if (!strncmp(digits, home ? home->idd : "00", strlen(home ? home->idd : "00"))) {
		intl = 1;
		cut = strlen(home ? home->idd : "00");
	}
	if (intl) {
		const struct dialling *d;
		size_t cc;

		nat = digits + cut;
		if (*nat == '0')
			return *why = "no country code after the international prefix", -1;
		if (!*nat)
			return *why = "no digits", -1;
		d = dialling_by_code(nat);
		cc = d ? strlen(d->cc) : 0;
		/* "+43 (0)664 ..." and "+43 0664 ...": the trunk prefix a national number is written
		   with does not belong to the international form (countries that dial it keep it) */
		if (trunk_group >= 0 && (size_t)trunk_group != cut + cc)
			return *why = "\"(0)\" belongs right after the country code", -1;
		if (d && *d->trunk == '0' && nat[cc] == '0' && strlen(d->trunk) == 1)
			snprintf(res, sizeof res, "+%.*s%s", (int)cc, nat, nat + cc + 1);
		else
			snprintf(res, sizeof res, "+%s", nat);
	} else {
		if (trunk_group >= 0)
			return *why = "\"(0)\" belongs right after the country code", -1;
		if (!home)
			return *why = "a national number needs the country code (+CC ...): no default country is set", -1;
		nat = digits;
		if (*home->trunk) {
			size_t t = strlen(home->trunk);
			if (!strncmp(nat, home->trunk, t) && (t > 1 || *home->trunk == '0' || strlen(nat) == 11))
				nat += t;
			else if (*home->trunk == '0')
				return *why = "a national number starts with its area code (0...) or the country code (+...)", -1;
		}
		if (*nat == '0' && *home->trunk)
			return *why = "no area code after the trunk prefix", -1;
		snprintf(res, sizeof res, "+%s%s", home->cc, nat);
	}
	n = strlen(res) - 1;
	if (n < 8)
		return *why = "too few digits for a phone number", -1;
	if (n > 15)
		return *why = "too many digits (at most 15)", -1;
	memcpy(out, res, n + 2);
	return 0;
}

/* Each number of a phone field as written, to fn (see phone.h). */
int phone_split(const char *field, int (*fn)(void *ctx, const char *one), void *ctx)
{
	char one[128];
	const char *p = field, *end;
	int n = 0, rc;

	while (p && *p) {
		end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) < sizeof one) {
			memcpy(one, p, (size_t)(end - p));
			one[end - p] = '\0';
			if ((rc = fn(ctx, one)) < 0)
				return rc;
			n++;
		}
		p = *end ? end + 1 : end;
	}
	return n;
}

/* What phone_each's split hands on: the country, and fn with its context. */
struct each {
	const char *country;
	int (*fn)(void *ctx, const char *e164);
	void *ctx;
	int n;
};

/* Normalise one number of the field and hand it on when it is one (phone_split's callback). */
static int each_one(void *ctx, const char *one)
{
	struct each *x = ctx;
	char e164[PHONE_E164_MAX];
	const char *why;
	int rc;

	if (phone_e164(one, x->country, e164, &why) != 0)
		return 0;
	if ((rc = x->fn(x->ctx, e164)) < 0)
		return rc;
	x->n++;
	return 0;
}

/* Each number of a phone field, normalised, to fn. */
int phone_each(const char *field, const char *country, int (*fn)(void *ctx, const char *e164), void *ctx)
{
	struct each x = { country, fn, ctx, 0 };
	int rc = phone_split(field, each_one, &x);

	return rc < 0 ? rc : x.n;
}

/* Each number of a one-a-line list, with its line, to fn. */
int phone_lines(char *text, int (*fn)(void *ctx, const char *number, int line), void *ctx)
{
	char *p = text, *next, *end;
	int line = 0, n = 0, rc;

	if (p && !strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;   /* the byte order mark Excel and Notepad write */

	for (; p && *p; p = next) {
		line++;
		next = strchr(p, '\n');
		if (next)
			*next++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		end = p + strlen(p);
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*p || *p == '#')
			continue;
		if ((rc = fn(ctx, p, line)) < 0)
			return rc;
		n++;
	}
	return n;
}

/* Whether a file's text can be read as a list of numbers (see phone.h). */
const char *phone_text_problem(const char *text, size_t len, int *line)
{
	size_t bad = 0, i;

	*line = 1;
	if (len >= 2 && (((unsigned char)text[0] == 0xFF && (unsigned char)text[1] == 0xFE) ||
	                 ((unsigned char)text[0] == 0xFE && (unsigned char)text[1] == 0xFF)))
		return N_("the file is UTF-16 (Excel's \"Unicode text\"): save it as \"CSV UTF-8\" or plain text");
	for (i = 0; i < len; i++) {
		if (!text[i])
			return N_("the file holds a NUL byte: it is not text (save it as \"CSV UTF-8\" or plain text)");
		*line += text[i] == '\n';
	}
	*line = 1;
	if (!utf8_valid(text, len, &bad)) {
		for (i = 0; i < bad; i++)
			*line += text[i] == '\n';
		return N_("invalid UTF-8: save the file as UTF-8 text");
	}
	return NULL;
}
