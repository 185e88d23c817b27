/* i18n.h: the language of what the programs say to a person (GNU gettext), and the
 * interviewer's conventions for dates and numbers. Files, the database and the API keep ISO
 * 8601 dates and a decimal point whatever the language; only text shown to or typed by a person
 * goes through here. */
#ifndef CATI_I18N_H
#define CATI_I18N_H

#include <libintl.h>
#include <stddef.h>

/* _("text"): text in the interface language; N_("text") marks text translated later, where it
 * is shown (tables of constant strings); P_(one, many, n): the plural form for n. */
#define _(s) gettext(s)
#define N_(s) (s)
#define P_(one, many, n) ngettext(one, many, (unsigned long)(n))

/* i18n_init: set up the locale and the message catalogue of DOMAIN ("cati" or "cati-store"),
 * in the language lang ("en", "de", "nl") or, when lang is NULL, the one the environment asks
 * for ($LANGUAGE, $LC_ALL, $LC_MESSAGES, $LANG; English when none is known). The catalogues are
 * looked for in $CATI_LOCALEDIR, then beside the program (bin/locale, the source tree's build),
 * then in the program's ../share/locale (an installed program). The character type follows the
 * environment (UTF-8 when it names none), numbers and times never do (printf writes a point).
 * A catalogue that cannot be found leaves the English texts: never message ids. */
void i18n_init(const char *domain, const char *lang);

/* i18n_use: switch the interface language to lang ("en", "de", "nl", or a locale name such as
 * "de_AT.UTF-8"); returns 0, or -1 (and changes nothing) for a language cati has no catalogue
 * for. */
int i18n_use(const char *lang);

/* i18n_lang: the interface language now: "en", "de" or "nl" (static storage). */
const char *i18n_lang(void);

/* i18n_env_lang: the language the environment asks for ("en" when none is known). */
const char *i18n_env_lang(void);

/* i18n_known: 1 when lang (or the language of a locale name) has a catalogue, else 0. */
int i18n_known(const char *lang);

/* i18n_langs: the languages the interface can use, NULL-terminated ("en", "de", "nl"). */
const char *const *i18n_langs(void);

/* i18n_lang_name: a language's own name ("Deutsch", "Nederlands", "English"). */
const char *i18n_lang_name(const char *lang);

/* i18n_date: an ISO date "YYYY-MM-DD" (or the start of a longer ISO time) as the interviewer
 * writes it: 31.12.2026 (de), 31-12-2026 (nl), 2026-12-31 (en); the rest of a longer string
 * (" 14:00") is kept. Writes at most size bytes, always terminated; returns buf. Text that is
 * not an ISO date is copied unchanged. */
char *i18n_date(char *buf, size_t size, const char *iso);

/* i18n_number: a number written with a decimal point ("3.5", "-0.25", "12") as the interviewer
 * writes it ("3,5" in de and nl). Returns buf, as i18n_date. */
char *i18n_number(char *buf, size_t size, const char *plain);

/* i18n_decimal: the interviewer's decimal separator ('.' or ','). */
char i18n_decimal(void);

#endif
