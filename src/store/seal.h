/*
 * seal.h: the respondents' personal fields sealed in the workstation's database (store-internal).
 *
 * The workstation has one key pair (X25519), made when the first interviewer's credential is
 * set. Its public half is kept in clear (meta 'seal_pk'); its secret half only wrapped, once per
 * interviewer, with a key derived from that interviewer's password (Argon2id, then
 * XChaCha20-Poly1305: table keyring). Every connection that writes draws a fresh 32-byte write
 * key, keeps it sealed to the public key in table seal_keys, and seals each personal value with
 * it: a BLOB of key id (8 bytes, little-endian) || nonce (24) || XChaCha20-Poly1305 ciphertext.
 * So anyone may write (a sync, an import, `cati call`), but reading needs the secret key, which
 * only an interviewer's password unlocks. Plain TEXT values (a database nobody ever logged into)
 * read as they are; the first credential seals them.
 *
 * SQL functions on the connection: seal(x) (TEXT -> sealed BLOB; NULL and BLOB unchanged; TEXT
 * unchanged while the database has no key yet), unseal(x) (an error while locked), peek(x) (NULL
 * while locked), seal_read(x) (x sealed if unseal() opened a value since the last seal_read: a
 * record's JSON is sealed when it holds personal data).
 */
#ifndef CATI_STORE_SEAL_H
#define CATI_STORE_SEAL_H

#include <stddef.h>

#include "cati/store.h"

struct store;
struct err;

/* Register the SQL functions and load the public key, if any (at open). */
int seal_attach(struct store *st, struct err *e);
/* Wipe every key of the connection and free its state (at close). */
void seal_detach(struct store *st);
/* After the schema is current: the connection's write key, if the database has a key pair. */
int seal_ready(struct store *st, struct err *e);
/* 1 when the database has a key pair (its personal fields are sealed). */
int seal_keyed(const struct store *st);
/* 1 when this connection holds the secret key (an interviewer unlocked it). */
int seal_unlocked(const struct store *st);

/* Give interviewer a copy of the secret key wrapped with password (the connection must be
   unlocked: a colleague's session); locked, unlock with it instead. */
enum store_rc seal_grant(struct store *st, const char *interviewer, const char *password, struct err *e);

/* Locked: unlock with interviewer's copy. Unlocked (a colleague's session before): give
   interviewer a copy if they have none, or one this password does not open (an old one's). */
enum store_rc seal_grant_missing(struct store *st, const char *interviewer, const char *password, struct err *e);

/* Forget what unseal() opened before: the next seal_read() seals only for what it reads itself. */
void seal_read_reset(struct store *st);

/* For tests: seal text with the connection's write key (*out malloc'd, *n its size); 0 or -1. */
int seal_bytes(struct store *st, const char *text, unsigned char **out, size_t *n, struct err *e);
/* For tests: open a sealed value (*text malloc'd); 0, or -1 (locked, damaged, unknown key). */
int seal_open_bytes(struct store *st, const unsigned char *in, size_t n, char **text, struct err *e);

#endif
