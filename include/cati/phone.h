/*
 * phone.h: telephone numbers in international form (E.164: '+', the country code and the
 * national number, digits only, at most 15), as the do-not-call list keeps them. Pure.
 */
#ifndef CATI_PHONE_H
#define CATI_PHONE_H

#include <stddef.h>

/* Room for a normalised number: '+', 15 digits and the NUL. */
#define PHONE_E164_MAX 17

/*
 * Normalise one number written the way people write them: "+43 664 123 45 67", "0043 664
 * 1234567", "+43 (0)664 1234567", "0664/123 45-67", "(0664) 1234567" ... Blanks, '-', '/', '.'
 * and parentheses are ignored; "(0)" after a country code is the dropped trunk prefix. A number
 * without '+' or the international prefix is a national one of country (ISO 3166 code, like
 * "AT"; NULL or "" for none: then it is refused) and starts with that country's trunk prefix
 * (0 in most of Europe). Writes "+436641234567" into out (PHONE_E164_MAX bytes) and returns 0;
 * else -1 and *why (a static English text) says what is wrong: letters, too few or too many
 * digits, an unknown country.
 */
int phone_e164(const char *in, const char *country, char out[PHONE_E164_MAX], const char **why);

/* Is country (like "AT", any case) one phone_e164 knows? 1 yes, 0 no. */
int phone_country_known(const char *country);

/*
 * Split a case's phone field ("number; number; ...") and call fn with each number it holds,
 * normalised for country; numbers that do not normalise are skipped. Returns how many fn saw,
 * or the first negative value fn returned.
 */
int phone_each(const char *field, const char *country, int (*fn)(void *ctx, const char *e164), void *ctx);

/* Split a case's phone field ("number; number; ...") and call fn with each number as written
   (one shorter than 128 bytes). Returns how many fn saw, or the first negative value it returned. */
int phone_split(const char *field, int (*fn)(void *ctx, const char *one), void *ctx);

/*
 * A list of numbers, one a line (text is changed in place): blank lines and lines starting with
 * '#' are skipped, blanks and a CR around each number cut. fn gets each with its line number;
 * returns how many, or the first negative value fn returned.
 */
int phone_lines(char *text, int (*fn)(void *ctx, const char *number, int line), void *ctx);

/*
 * Can a list of numbers read from a file (len bytes) be read as text? NULL yes (a UTF-8 byte
 * order mark, as Excel and Notepad write it, is fine: phone_lines skips it); else what is wrong
 * (a static English text, marked for translation), and *line the line at fault: UTF-16 (Excel's
 * "Unicode text"), a NUL byte, invalid UTF-8.
 */
const char *phone_text_problem(const char *text, size_t len, int *line);

#endif
