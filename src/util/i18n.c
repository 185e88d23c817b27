/* i18n.c: the interface language (GNU gettext) and the interviewer's dates and numbers. */
#include "cati/i18n.h"

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One row per language with a catalogue: its code, own name, date pattern, decimal separator. */
struct lang {
	const char *code;
	const char *name;
	const char *date; /* D, M, Y: day, month, year (two, two, four digits) */
	char decimal;
};

static const struct lang langs[] = {
	{ "en", "English", "Y-M-D", '.' },
	{ "de", "Deutsch", "D.M.Y", ',' },
	{ "nl", "Nederlands", "D-M-Y", ',' },
};
static const char *const lang_codes[] = { "en", "de", "nl", NULL };

/* The language in use: process state like the locale that gettext itself keeps. */
static const struct lang *current = &langs[0];
static char domain_name[32] = "cati";

/* The row of a language code or locale name ("de", "de_AT.UTF-8", "nl-BE"), or NULL. */
static const struct lang *lang_find(const char *lang)
{
	size_t i;

	if (!lang || !*lang)
		return NULL;
	for (i = 0; i < sizeof langs / sizeof langs[0]; i++) {
		size_t n = strlen(langs[i].code);

		if (strncmp(lang, langs[i].code, n) == 0 &&
		    (lang[n] == '\0' || lang[n] == '_' || lang[n] == '-' || lang[n] == '.' || lang[n] == '@'))
			return &langs[i];
	}
	return NULL;
}

int i18n_known(const char *lang)
{
	return lang_find(lang) != NULL;
}

const char *const *i18n_langs(void)
{
	return lang_codes;
}

const char *i18n_lang_name(const char *lang)
{
	const struct lang *l = lang_find(lang);

	return l ? l->name : lang;
}

const char *i18n_lang(void)
{
	return current->code;
}

/* The first language of a LANGUAGE-style list ("nl:de:en") that cati knows, or NULL. */
static const struct lang *first_known(const char *list)
{
	char part[64];
	const char *p = list;

	while (p && *p) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > 0 && n < sizeof part) {
			const struct lang *l;

			memcpy(part, p, n);
			part[n] = '\0';
			if (strcmp(part, "C") == 0 || strcmp(part, "POSIX") == 0 || strncmp(part, "C.", 2) == 0)
				return &langs[0];
			l = lang_find(part);
			if (l)
				return l;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

const char *i18n_env_lang(void)
{
	/* gettext's own order: LANGUAGE, then LC_ALL, LC_MESSAGES, LANG (the first one set) */
	const char *vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const struct lang *l = first_known(getenv("LANGUAGE"));
	size_t i;

	if (l)
		return l->code;
	for (i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *v = getenv(vars[i]);

		if (v && *v) {
			l = first_known(v);
			return l ? l->code : "en";
		}
	}
	return "en";
}

/* The directory of the running program, or "" when it cannot be read. */
static void program_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	char *slash;

	if (n <= 0) {
		buf[0] = '\0';
		return;
	}
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	else
		buf[0] = '\0';
}

/* Where the catalogues are: $CATI_LOCALEDIR, PROGRAM_DIR/locale, PROGRAM_DIR/../share/locale. */
static void find_localedir(const char *domain, char *out, size_t size)
{
	char dir[PATH_MAX], probe[PATH_MAX + 128];
	const char *env = getenv("CATI_LOCALEDIR");
	const char *tails[] = { "/locale", "/../share/locale" };
	size_t i;

	if (env && *env) {
		snprintf(out, size, "%s", env);
		return;
	}
	program_dir(dir, sizeof dir);
	for (i = 0; dir[0] && i < sizeof tails / sizeof tails[0]; i++) {
		int n = snprintf(probe, sizeof probe, "%s%s/de/LC_MESSAGES/%s.mo", dir, tails[i], domain);

		if (n > 0 && (size_t)n < sizeof probe && access(probe, R_OK) == 0) {
			snprintf(out, size, "%s%s", dir, tails[i]);
			return;
		}
	}
	snprintf(out, size, "%s", "/usr/share/locale");
}

/* Is the locale category's name a UTF-8 one? */
static int is_utf8(const char *name)
{
	return name && (strstr(name, "UTF-8") || strstr(name, "utf8") || strstr(name, "UTF8") ||
			strstr(name, "utf-8"));
}

int i18n_use(const char *lang)
{
	const struct lang *l = lang_find(lang);

	if (!l)
		return -1;
	current = l;
	/* gettext takes LANGUAGE before the locale, and it needs a locale other than C for that:
	 * C.UTF-8 (every Debian has it) when the environment's locale is C or unknown */
	setenv("LANGUAGE", l->code, 1);
	/* a new language: gettext must forget the translations it has looked up (textdomain does) */
	textdomain(domain_name);
	return 0;
}

void i18n_init(const char *domain, const char *lang)
{
	char dir[PATH_MAX];
	const char *msg;

	snprintf(domain_name, sizeof domain_name, "%s", domain);
	if (!setlocale(LC_ALL, ""))
		setlocale(LC_ALL, "C.UTF-8");
	if (!is_utf8(setlocale(LC_CTYPE, NULL)))
		setlocale(LC_CTYPE, "C.UTF-8");
	/* printf and strtod keep a decimal point, whatever the locale says */
	setlocale(LC_NUMERIC, "C");
	setlocale(LC_TIME, "C");
	msg = setlocale(LC_MESSAGES, NULL);
	if (!msg || strcmp(msg, "C") == 0 || strcmp(msg, "POSIX") == 0)
		setlocale(LC_MESSAGES, "C.UTF-8");
	find_localedir(domain, dir, sizeof dir);
	bindtextdomain(domain, dir);
	bind_textdomain_codeset(domain, "UTF-8");
	textdomain(domain);
	if (i18n_use(lang && i18n_known(lang) ? lang : i18n_env_lang()) != 0)
		i18n_use("en");
}

char i18n_decimal(void)
{
	return current->decimal;
}

/* Copy src into buf (size bytes, terminated). */
static char *copy(char *buf, size_t size, const char *src)
{
	if (size > 0)
		snprintf(buf, size, "%s", src);
	return buf;
}

char *i18n_date(char *buf, size_t size, const char *iso)
{
	char out[64];
	const char *p;
	size_t i, o = 0;

	if (!iso)
		return copy(buf, size, "");
	for (i = 0; i < 10; i++) {
		int digit = iso[i] >= '0' && iso[i] <= '9';

		if ((i == 4 || i == 7) ? iso[i] != '-' : !digit)
			return copy(buf, size, iso);
	}
	if (iso[10] != '\0' && iso[10] != ' ' && iso[10] != 'T')
		return copy(buf, size, iso);
	for (p = current->date; *p && o + 5 < sizeof out; p++) {
		switch (*p) {
		case 'Y': memcpy(out + o, iso, 4); o += 4; break;
		case 'M': memcpy(out + o, iso + 5, 2); o += 2; break;
		case 'D': memcpy(out + o, iso + 8, 2); o += 2; break;
		default: out[o++] = *p; break;
		}
	}
	out[o] = '\0';
	if (size > 0)
		snprintf(buf, size, "%s%s", out, iso + 10);
	return buf;
}

char *i18n_number(char *buf, size_t size, const char *plain)
{
	char *dot;

	copy(buf, size, plain ? plain : "");
	dot = strchr(buf, '.');
	if (dot && current->decimal != '.')
		*dot = current->decimal;
	return buf;
}
