/* genform.h: generate large, valid form files for tests and benchmarks. */
#ifndef CATI_GENFORM_H
#define CATI_GENFORM_H

/*
 * Source of a form with n questions in two languages (en, de): groups with ask-if conditions
 * on case fields, questions whose conditions read several earlier answers (and, or, not, in,
 * functions), checks, computes and a loop. Deterministic for (n, seed). free() the result.
 */
char *genform(int n, unsigned seed);

#endif
