/*
 * input.c: numbers, dates and times as an interviewer types them, with messages that name
 * what is wrong. The stored forms stay canonical: decimals with a point, dates as ISO days.
 */
#include "cati/i18n.h"
#include "cati/form.h"

#include <stdio.h>
#include <string.h>

/* At most this many significant digits: up to here a double holds every such number exactly. */
#define MAX_DIGITS 15

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December",
};

/* s without the spaces and tabs around it: returns the first byte, its length in *n. */
static const char *trim(const char *s, size_t *n)
{
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*n = len;
	return s;
}

/* Is c an ASCII digit? */
static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read up to max digits at s[0..n): their value into *v; returns how many there were. */
static size_t read_digits(const char *s, size_t n, size_t max, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n && is_digit(s[i]); i++)
		if (i < max)
			*v = *v * 10 + (s[i] - '0');
	return i;
}

/*
 * What is wrong with the characters of a number after its sign, as a message suffix, or NULL
 * when they are only digits and decimal marks.
 */
static const char *number_chars(const char *t, size_t n, int whole)
{
	int space = 0, exponent = 0, other = 0;
	size_t k;

	for (k = 0; k < n; k++) {
		char c = t[k];

		if (is_digit(c) || c == '.' || c == ',')
			continue;
		if (c == ' ' || c == '\t')
			space = 1;
		else if ((c == 'e' || c == 'E') && k > 0 && is_digit(t[k - 1]) && k + 1 < n &&
		         (is_digit(t[k + 1]) ||
		          ((t[k + 1] == '-' || t[k + 1] == '+') && k + 2 < n && is_digit(t[k + 2])))) {
			exponent = 1;
			if (!is_digit(t[k + 1]))
				k++;  /* the exponent's sign */
		} else
			other = 1;
	}
	if (other)
		return whole ? _("not a whole number; type digits, like 15")
		             : _("not a number; type digits, like 15 or 3,5");
	if (exponent)
		return _("type the number in full, without an exponent");
	if (space)
		return _("type the number without spaces");
	return NULL;
}

/* A number as typed; the value computed here, not by strtod, whose point follows LC_NUMERIC. */
int form_input_number(const char *s, int whole, double *x, struct err *e)
{
	size_t n, i, k, mark = 0, marks = 0, int_end, frac_end, digits = 0;
	const char *t = trim(s, &n), *why;
	int neg = 0, frac = 0;
	double mant = 0, scale = 1;

	if (!n) {
		err_set(e, whole ? _("type a whole number") : "type a number");
		return -1;
	}
	if (t[0] == '+') {
		err_set(e, _("%.*s: type the number without a plus sign"), (int)n, t);
		return -1;
	}
	i = t[0] == '-';
	neg = (int)i;
	if ((why = number_chars(t + i, n - i, whole)) != NULL) {
		err_set(e, "%.*s: %s", (int)n, t, why);
		return -1;
	}
	for (k = i; k < n; k++)
		if (t[k] == '.' || t[k] == ',') {
			if (!marks++)
				mark = k;
		}
	if (n == i || (marks == 1 && n == i + 1) || marks == n - i) {
		err_set(e, whole ? _("%.*s: not a whole number; type digits, like 15")
		                 : _("%.*s: not a number; type digits, like 15 or 3,5"), (int)n, t);
		return -1;
	}
	if (whole && marks) {
		err_set(e, _("%.*s: type a whole number, without decimals or thousands separators"), (int)n, t);
		return -1;
	}
	if (marks > 1) {
		err_set(e, _("%.*s: type one decimal mark at most, and no thousands separators"), (int)n, t);
		return -1;
	}
	if (marks && mark == i) {
		err_set(e, _("%.*s: type it as %s0%.*s"), (int)n, t, neg ? "-" : "", (int)(n - i), t + i);
		return -1;
	}
	if (marks && mark == n - 1) {
		err_set(e, _("%.*s: digits must follow the decimal mark"), (int)n, t);
		return -1;
	}
	/* significant digits: the integer part without leading zeros, the fraction without trailing */
	int_end = marks ? mark : n;
	frac_end = n;
	while (marks && frac_end > mark + 1 && t[frac_end - 1] == '0')
		frac_end--;
	while (i < int_end - 1 && t[i] == '0')
		i++;
	for (k = i; k < frac_end; k++) {
		if (k == int_end)
			continue;
		if (k > int_end)
			frac++;
		mant = mant * 10 + (t[k] - '0');
		digits++;
	}
	if (digits > MAX_DIGITS) {
		err_set(e, _("%.*s: too many digits (at most %d)"), (int)n, t, MAX_DIGITS);
		return -1;
	}
	/* both exact, so the quotient is the correctly rounded value, as strtod would give */
	for (k = 0; k < (size_t)frac; k++)
		scale *= 10;
	*x = mant == 0 ? 0.0 : (neg ? -mant : mant) / scale;
	return 0;
}

/* Days in month m (1-12) of year y. */
static int month_days(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mdays[m - 1] + (m == 2 && leap);
}

/* A date as typed, D.M.YYYY or YYYY-MM-DD, checked against the calendar. */
int form_input_date(const char *s, double *days, struct err *e)
{
	size_t n, k, a, b, c;
	const char *t = trim(s, &n);
	int d, m, y;
	char iso[40];

	if (!n) {
		err_set(e, _("type a date, like 15.3.2025"));
		return -1;
	}
	a = read_digits(t, n, 9, &d);
	if (a == 4 && a < n && t[a] == '-') {
		/* YYYY-MM-DD */
		y = d;
		k = a + 1;
		b = read_digits(t + k, n - k, 9, &m);
		k += b;
		if (b < 1 || b > 2 || k >= n || t[k] != '-')
			goto bad;
		k++;
		c = read_digits(t + k, n - k, 9, &d);
		if (c < 1 || c > 2 || k + c != n)
			goto bad;
	} else {
		/* D.M.YYYY */
		k = a;
		if (a < 1 || a > 2 || k >= n || t[k] != '.')
			goto bad;
		k++;
		b = read_digits(t + k, n - k, 9, &m);
		k += b;
		if (b < 1 || b > 2)
			goto bad;
		if (k == n || (k + 1 == n && t[k] == '.')) {
			err_set(e, _("%.*s: type the year too, like 15.3.2025"), (int)n, t);
			return -1;
		}
		if (t[k] != '.')
			goto bad;
		k++;
		c = read_digits(t + k, n - k, 9, &y);
		if (c < 1 || k + c != n)
			goto bad;
		if (c != 4) {
			err_set(e, _("%.*s: type the year with four digits"), (int)n, t);
			return -1;
		}
	}
	if (m < 1 || m > 12) {
		err_set(e, _("%.*s: there is no month %d"), (int)n, t, m);
		return -1;
	}
	if (d < 1 || d > 31) {
		err_set(e, _("%.*s: there is no day %d"), (int)n, t, d);
		return -1;
	}
	if (y < 1900) {
		err_set(e, _("%.*s: the year must be 1900 or later"), (int)n, t);
		return -1;
	}
	if (d > month_days(y, m)) {
		err_set(e, _("%.*s: %s %d has %d days"), (int)n, t, month_names[m - 1], y, month_days(y, m));
		return -1;
	}
	snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
	if (form_date_parse(iso, 10, days) < 0)
		goto bad;
	return 0;
bad:
	err_set(e, _("%.*s: not a date; type it like 15.3.2025 or 2025-03-15"), (int)n, t);
	return -1;
}

/* A time of day as typed, H:MM or HH:MM. */
int form_input_time(const char *s, int *hh, int *mm, struct err *e)
{
	size_t n, a, b;
	const char *t = trim(s, &n);
	int h, m;

	if (!n) {
		err_set(e, _("type a time, like 9:30"));
		return -1;
	}
	a = read_digits(t, n, 2, &h);
	if (a < 1 || a > 2 || a >= n || (t[a] != ':' && t[a] != '.'))
		goto bad;
	b = read_digits(t + a + 1, n - a - 1, 2, &m);
	if (b < 1 || b > 2 || a + 1 + b != n)
		goto bad;
	if (h > 23) {
		err_set(e, _("%.*s: there is no hour %d"), (int)n, t, h);
		return -1;
	}
	if (b == 1) {
		err_set(e, _("%.*s: type the minutes with two digits, like %d:0%d"), (int)n, t, h, m);
		return -1;
	}
	if (m > 59) {
		err_set(e, _("%.*s: there is no minute %d"), (int)n, t, m);
		return -1;
	}
	*hh = h;
	*mm = m;
	return 0;
bad:
	err_set(e, _("%.*s: not a time; type it like 9:30 or 14:05"), (int)n, t);
	return -1;
}
