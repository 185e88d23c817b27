/* seal.c: the workstation's key pair, its copies for each interviewer, and the SQL functions
 * seal(), unseal() and peek() that keep respondents' personal fields sealed (see seal.h). */
#include "store-int.h"
#include "seal.h"
#include "cati/i18n.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_BYTES 32
#define ID_BYTES 8
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SALT_BYTES crypto_pwhash_SALTBYTES

/* One write key another connection made, opened with the secret key. */
struct seal_cached {
	int64_t id;
	unsigned char k[KEY_BYTES];
};

struct seal {
	int keyed;                       /* the database has a key pair */
	unsigned char pk[crypto_box_PUBLICKEYBYTES];
	int unlocked;                    /* sk holds the secret key */
	unsigned char sk[crypto_box_SECRETKEYBYTES];
	int64_t write_id;                /* this connection's write key's row (0: none yet) */
	unsigned data_version;           /* of the file when the public key was last looked for */
	int opened;                      /* unseal() opened a value since the last seal_read() */
	unsigned char wk[KEY_BYTES];
	struct seal_cached *cache;
	size_t ncache, cap;
	sqlite3_stmt *get_key;
};

/* The key of id: this connection's own, a cached one, or (unlocked) opened from seal_keys. */
static const unsigned char *key_of(struct store *st, int64_t id)
{
	struct seal *s = st->seal;
	unsigned char sealed[KEY_BYTES + crypto_box_SEALBYTES];
	size_t i;
	int rc, ok = 0;

	if (s->write_id && id == s->write_id)
		return s->wk;
	for (i = 0; i < s->ncache; i++)
		if (s->cache[i].id == id)
			return s->cache[i].k;
	if (!s->unlocked)
		return NULL;
	if (!s->get_key && sqlite3_prepare_v3(st->db, "SELECT sealed FROM seal_keys WHERE id = ?", -1,
	                                      SQLITE_PREPARE_PERSISTENT, &s->get_key, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(s->get_key, 1, id);
	rc = sqlite3_step(s->get_key);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(s->get_key, 0) == (int)sizeof sealed) {
		memcpy(sealed, sqlite3_column_blob(s->get_key, 0), sizeof sealed);
		ok = 1;
	}
	sqlite3_reset(s->get_key);
	if (!ok)
		return NULL;
	if (s->ncache == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->cache = xrealloc(s->cache, s->cap * sizeof *s->cache);
	}
	if (crypto_box_seal_open(s->cache[s->ncache].k, sealed, sizeof sealed, s->pk, s->sk) != 0)
		return NULL;
	s->cache[s->ncache].id = id;
	return s->cache[s->ncache++].k;
}

/* Seal n bytes of text into a new buffer (*out, *outn); 0, or -1 without a write key. */
static int seal_raw(struct store *st, const unsigned char *text, size_t n, unsigned char **out, size_t *outn)
{
	struct seal *s = st->seal;
	unsigned char *b;
	unsigned long long clen;
	int64_t id = s->write_id;
	int i;

	if (!id)
		return -1;
	b = xmalloc(ID_BYTES + NONCE_BYTES + n + TAG_BYTES);
	for (i = 0; i < ID_BYTES; i++)
		b[i] = (unsigned char)((uint64_t)id >> (8 * i));
	randombytes_buf(b + ID_BYTES, NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(b + ID_BYTES + NONCE_BYTES, &clen, text, n, b, ID_BYTES, NULL,
	                                           b + ID_BYTES, s->wk);
	*out = b;
	*outn = ID_BYTES + NONCE_BYTES + (size_t)clen;
	return 0;
}

/* Open a sealed value into a new NUL-terminated buffer; 0, -1 locked or unknown key, -2 damaged. */
static int open_raw(struct store *st, const unsigned char *in, size_t n, char **text, size_t *len)
{
	const unsigned char *k;
	unsigned long long mlen;
	uint64_t id = 0;
	char *t;
	int i;

	if (n < ID_BYTES + NONCE_BYTES + TAG_BYTES)
		return -2;
	for (i = 0; i < ID_BYTES; i++)
		id |= (uint64_t)in[i] << (8 * i);
	if (!(k = key_of(st, (int64_t)id)))
		return -1;
	t = xmalloc(n - ID_BYTES - NONCE_BYTES - TAG_BYTES + 1);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)t, &mlen, NULL, in + ID_BYTES + NONCE_BYTES,
	                                               n - ID_BYTES - NONCE_BYTES, in, ID_BYTES, in + ID_BYTES, k) != 0) {
		free(t);
		return -2;
	}
	t[mlen] = '\0';
	*text = t;
	*len = (size_t)mlen;
	return 0;
}

static void load_pk(struct store *st);

/* Look for the public key again if the file changed since the last look. */
static void recheck(struct store *st)
{
	unsigned v = 0;

	if (sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &v) == SQLITE_OK &&
	    v == st->seal->data_version && st->seal->data_version)
		return;
	st->seal->data_version = v;
	load_pk(st);
}

/* SQL seal(x): TEXT sealed into a BLOB once the database has a key; NULL and BLOBs unchanged. */
static void fn_seal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store *st = sqlite3_user_data(ctx);
	unsigned char *b;
	size_t n;

	(void)argc;
	if (!st->seal->keyed)
		recheck(st);   /* another program may have made the key since */
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[0]) == SQLITE_BLOB ||
	    !st->seal->keyed) {
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	if (seal_raw(st, sqlite3_value_text(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), &b, &n) < 0) {
		sqlite3_result_error(ctx, "no key to seal personal data with (reopen the database)", -1);
		return;
	}
	sqlite3_result_blob(ctx, b, (int)n, free);
}

/* unseal(x) and peek(x): a sealed BLOB opened as TEXT; anything else unchanged. Locked: unseal
   fails, peek gives NULL. */
static void unseal_or_peek(sqlite3_context *ctx, sqlite3_value *v, int peek)
{
	struct store *st = sqlite3_user_data(ctx);
	char *t;
	size_t len;
	int rc;

	if (sqlite3_value_type(v) != SQLITE_BLOB) {
		sqlite3_result_value(ctx, v);
		return;
	}
	rc = open_raw(st, sqlite3_value_blob(v), (size_t)sqlite3_value_bytes(v), &t, &len);
	if (rc == 0 && !peek)
		st->seal->opened = 1;
	if (rc == 0)
		sqlite3_result_text(ctx, t, (int)len, free);
	else if (peek)
		sqlite3_result_null(ctx);
	else if (rc == -1)
		sqlite3_result_error(ctx, "personal data is locked: log in with an interviewer's password", -1);
	else
		sqlite3_result_error(ctx, "a sealed value is damaged", -1);
}

/* SQL seal_read(x): x sealed if unseal() opened a personal value since the last call (so a
   record's JSON is sealed when it holds one), else as it is. */
static void fn_seal_read(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store *st = sqlite3_user_data(ctx);
	int opened = st->seal->opened;

	st->seal->opened = 0;
	if (opened)
		fn_seal(ctx, argc, argv);
	else
		sqlite3_result_value(ctx, argv[0]);
}

/* SQL unseal(x). */
static void fn_unseal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	unseal_or_peek(ctx, argv[0], 0);
}

/* SQL peek(x). */
static void fn_peek(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	unseal_or_peek(ctx, argv[0], 1);
}

/* Read the public key from meta, if the table and the key are there. */
static void load_pk(struct store *st)
{
	sqlite3_stmt *q = NULL;
	const char *hex;
	size_t n = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'seal_pk'", -1, &q, NULL) != SQLITE_OK) {
		sqlite3_finalize(q);
		return;
	}
	if (sqlite3_step(q) == SQLITE_ROW && (hex = (const char *)sqlite3_column_text(q, 0)) &&
	    sodium_hex2bin(st->seal->pk, sizeof st->seal->pk, hex, strlen(hex), NULL, &n, NULL) == 0 &&
	    n == sizeof st->seal->pk)
		st->seal->keyed = 1;
	sqlite3_finalize(q);
}

/* Register seal(), unseal(), seal_read() and peek() on the connection (see seal.h). */
int seal_attach(struct store *st, struct err *e)
{
	int rc = SQLITE_OK;

	st->seal = xcalloc(1, sizeof *st->seal);
	rc = sqlite3_create_function_v2(st->db, "seal", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, st, fn_seal, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "unseal", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, st, fn_unseal, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "seal_read", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, st, fn_seal_read, NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function_v2(st->db, "peek", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, st, fn_peek, NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, "cannot set up sealing in database '%s': %s", st->path, sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* Draw this connection's write key and keep it sealed to the public key (in the open
   transaction, or its own). */
static int new_write_key(struct store *st, struct err *e)
{
	struct seal *s = st->seal;
	unsigned char sealed[KEY_BYTES + crypto_box_SEALBYTES];
	sqlite3_stmt *q;
	int rc;

	crypto_aead_xchacha20poly1305_ietf_keygen(s->wk);
	crypto_box_seal(sealed, s->wk, KEY_BYTES, s->pk);
	if (!(q = store_prepare(st, "INSERT INTO seal_keys(sealed) VALUES (?)", e)))
		return -1;
	sqlite3_bind_blob(q, 1, sealed, sizeof sealed, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		store_fail(st, rc, "keep a sealing key", e);
		return -1;
	}
	s->write_id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

/* The connection's write key, once the database has a key pair (see seal.h). */
int seal_ready(struct store *st, struct err *e)
{
	if (st->seal->keyed && st->seal->write_id)
		return 0;
	recheck(st);
	if (!st->seal->keyed || st->seal->write_id)
		return 0;
	return new_write_key(st, e);
}

/* Start a record's JSON afresh: nothing opened yet (see seal.h). */
void seal_read_reset(struct store *st)
{
	st->seal->opened = 0;
}

/* Does the database have a key pair? */
int seal_keyed(const struct store *st)
{
	return st->seal && st->seal->keyed;
}

/* Does this connection hold the secret key? */
int seal_unlocked(const struct store *st)
{
	return st->seal && st->seal->unlocked;
}

/* Forget the secret key and the write keys opened with it (see store.h). */
void store_lock(struct store *st)
{
	struct seal *s = st->seal;

	if (!s)
		return;
	sodium_memzero(s->sk, sizeof s->sk);
	s->unlocked = 0;
	if (s->cache)
		sodium_memzero(s->cache, s->cap * sizeof *s->cache);
	s->ncache = 0;
}

/* Sealed data this connection cannot read? (see store.h) */
int store_locked(struct store *st)
{
	return seal_keyed(st) && !seal_unlocked(st);
}

/* Wipe the connection's keys and free its sealing state. */
void seal_detach(struct store *st)
{
	if (!st->seal)
		return;
	store_lock(st);
	sodium_memzero(st->seal->wk, sizeof st->seal->wk);
	sqlite3_finalize(st->seal->get_key);
	free(st->seal->cache);
	free(st->seal);
	st->seal = NULL;
}

/* The key a password and salt derive (Argon2id, the cached credential's cost); 0 or -1. */
static int derive(unsigned char kek[KEY_BYTES], const char *password, const unsigned char *salt)
{
	return crypto_pwhash(kek, KEY_BYTES, password, strlen(password), salt, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                     crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13);
}

/* Keep a copy of the secret key for interviewer, wrapped with their password (unlocked only). */
static enum store_rc wrap_for(struct store *st, const char *interviewer, const char *password, struct err *e)
{
	unsigned char salt[SALT_BYTES], kek[KEY_BYTES], box[NONCE_BYTES + crypto_box_SECRETKEYBYTES + TAG_BYTES];
	unsigned long long blen;
	sqlite3_stmt *q;
	char now[32];
	int rc;

	randombytes_buf(salt, sizeof salt);
	if (derive(kek, password, salt) != 0) {
		err_set(e, "cannot derive a key from the password: out of memory");
		return STORE_ERROR;
	}
	randombytes_buf(box, NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(box + NONCE_BYTES, &blen, st->seal->sk, sizeof st->seal->sk,
	                                           (const unsigned char *)interviewer, strlen(interviewer), NULL, box, kek);
	sodium_memzero(kek, sizeof kek);
	store_now(st, now);
	if (!(q = store_prepare(st, "INSERT INTO keyring(interviewer, salt, box, updated_at) VALUES (?,?,?,?)"
	                            " ON CONFLICT(interviewer) DO UPDATE SET salt = excluded.salt, box = excluded.box,"
	                            " updated_at = excluded.updated_at", e)))
		return st->last_rc;
	sqlite3_bind_text(q, 1, interviewer, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, salt, sizeof salt, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, box, (int)(NONCE_BYTES + blen), SQLITE_STATIC);
	sqlite3_bind_text(q, 4, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? STORE_OK : store_fail(st, rc, "keep the interviewer's key", e);
}

/* Personal fields written before the database had a key: sealed in place (old cells zeroed). */
static const char seal_plain_sql[] =
	"UPDATE cases SET name = seal(name), phone = seal(phone), fields = json_remove(fields, '$.name')"
	" WHERE typeof(name) = 'text' OR typeof(phone) = 'text' OR json_extract(fields, '$.name') IS NOT NULL;"
	"UPDATE notes SET text = seal(text) WHERE typeof(text) = 'text';"
	"UPDATE appointments SET with_whom = seal(with_whom) WHERE typeof(with_whom) = 'text';"
	"UPDATE call_attempts SET phone = seal(phone) WHERE typeof(phone) = 'text';"
	"UPDATE answers SET value = seal(value) WHERE typeof(value) = 'text';"
	"UPDATE answer_history SET old_value = seal(old_value), new_value = seal(new_value)"
	" WHERE typeof(old_value) = 'text' OR typeof(new_value) = 'text';"
	"UPDATE events SET value = seal(value), old_value = seal(old_value)"
	" WHERE typeof(value) = 'text' OR typeof(old_value) = 'text';"
	"UPDATE interviews SET suspend_reason = seal(suspend_reason) WHERE typeof(suspend_reason) = 'text';"
	"UPDATE outbox SET payload = seal(payload) WHERE typeof(payload) = 'text';";

/* Make the key pair, the first interviewer's copy and the write key; seal what is plain. */
static enum store_rc make_keys(struct store *st, const char *interviewer, const char *password, struct err *e)
{
	struct seal *s = st->seal;
	char hex[2 * sizeof s->pk + 1];
	int own_tx = sqlite3_get_autocommit(st->db);
	enum store_rc rc = STORE_OK;
	int src;

	if (own_tx && (src = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL)) != SQLITE_OK)
		return store_fail(st, src, "make the workstation's key", e);
	/* a cell a personal value leaves is overwritten with zeros */
	sqlite3_exec(st->db, "PRAGMA secure_delete = ON", NULL, NULL, NULL);
	load_pk(st);   /* another program may have made it meanwhile */
	if (s->keyed) {
		if (own_tx)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(st->db, "PRAGMA secure_delete = OFF", NULL, NULL, NULL);
		return STORE_BUSY;
	}
	crypto_box_keypair(s->pk, s->sk);
	s->keyed = s->unlocked = 1;
	sodium_bin2hex(hex, sizeof hex, s->pk, sizeof s->pk);
	if ((rc = wrap_for(st, interviewer, password, e)) == STORE_OK)
		rc = store_meta_set(st, "seal_pk", hex, e);
	if (rc == STORE_OK && new_write_key(st, e) < 0)
		rc = st->last_rc ? st->last_rc : STORE_ERROR;
	if (rc == STORE_OK && (src = sqlite3_exec(st->db, seal_plain_sql, NULL, NULL, NULL)) != SQLITE_OK)
		rc = store_fail(st, src, "seal the personal data", e);
	if (rc == STORE_OK && own_tx && (src = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
		rc = store_fail(st, src, "make the workstation's key", e);
	sqlite3_exec(st->db, "PRAGMA secure_delete = OFF", NULL, NULL, NULL);
	if (rc != STORE_OK) {
		if (own_tx)
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		store_lock(st);
		s->keyed = 0;
		s->write_id = 0;
		return rc;
	}
	if (own_tx) {
		/* the plain text's old pages leave the file and the log (best effort: a reader may hold them) */
		sqlite3_exec(st->db, "VACUUM", NULL, NULL, NULL);
		sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	}
	return STORE_OK;
}

/* Open interviewer's copy of the secret key with password into sk (the connection unchanged):
   STORE_OK, STORE_NOTFOUND (no copy) or STORE_ERROR (it does not open). */
static enum store_rc open_copy(struct store *st, const char *interviewer, const char *password,
                               unsigned char sk[crypto_box_SECRETKEYBYTES], struct err *e)
{
	unsigned char salt[SALT_BYTES], kek[KEY_BYTES], box[NONCE_BYTES + crypto_box_SECRETKEYBYTES + TAG_BYTES];
	unsigned char pk[crypto_box_PUBLICKEYBYTES];
	unsigned long long n;
	sqlite3_stmt *q;
	int rc, found = 0, ok;

	if (!(q = store_prepare(st, "SELECT salt, box FROM keyring WHERE interviewer = ?", e)))
		return st->last_rc;
	sqlite3_bind_text(q, 1, interviewer, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(q, 0) == (int)sizeof salt &&
	    sqlite3_column_bytes(q, 1) == (int)sizeof box) {
		memcpy(salt, sqlite3_column_blob(q, 0), sizeof salt);
		memcpy(box, sqlite3_column_blob(q, 1), sizeof box);
		found = 1;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, rc, "read the interviewer's key", e);
	if (!found) {
		err_set(e, "this workstation holds no key for '%s' yet: personal data stays locked", interviewer);
		return STORE_NOTFOUND;
	}
	if (derive(kek, password, salt) != 0) {
		err_set(e, "cannot derive a key from the password: out of memory");
		return STORE_ERROR;
	}
	ok = crypto_aead_xchacha20poly1305_ietf_decrypt(sk, &n, NULL, box + NONCE_BYTES, sizeof box - NONCE_BYTES,
	                                                (const unsigned char *)interviewer, strlen(interviewer), box,
	                                                kek) == 0 &&
	     n == crypto_box_SECRETKEYBYTES && crypto_scalarmult_base(pk, sk) == 0 &&
	     !sodium_memcmp(pk, st->seal->pk, sizeof pk);
	sodium_memzero(kek, sizeof kek);
	if (!ok) {
		sodium_memzero(sk, crypto_box_SECRETKEYBYTES);
		err_set(e, "the password of '%s' does not unlock this workstation's personal data", interviewer);
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* Open interviewer's copy of the secret key with password, or make the key pair (see store.h). */
enum store_rc store_unlock(struct store *st, const char *interviewer, const char *password, struct err *e)
{
	struct seal *s = st->seal;
	unsigned char sk[crypto_box_SECRETKEYBYTES];
	enum store_rc r;

	load_pk(st);
	if (!s->keyed && (r = make_keys(st, interviewer, password, e)) != STORE_BUSY)
		return r;
	if ((r = open_copy(st, interviewer, password, sk, e)) != STORE_OK)
		return r;
	memcpy(s->sk, sk, sizeof sk);
	sodium_memzero(sk, sizeof sk);
	s->unlocked = 1;
	return seal_ready(st, e) < 0 ? st->last_rc : STORE_OK;
}

/* Wrap a copy for interviewer while unlocked, else unlock with it (see seal.h). */
enum store_rc seal_grant(struct store *st, const char *interviewer, const char *password, struct err *e)
{
	if (!seal_unlocked(st))
		return store_unlock(st, interviewer, password, e);
	return wrap_for(st, interviewer, password, e);
}

/* A copy for an interviewer who has none (or one an old password wraps), while unlocked; else unlock. */
enum store_rc seal_grant_missing(struct store *st, const char *interviewer, const char *password, struct err *e)
{
	unsigned char sk[crypto_box_SECRETKEYBYTES];
	struct err e1;
	enum store_rc r;

	if (!seal_unlocked(st))
		return store_unlock(st, interviewer, password, e);
	/* their copy opens with this password: nothing to do; none, or an old password's: a new one */
	err_init(&e1);
	r = open_copy(st, interviewer, password, sk, &e1);
	sodium_memzero(sk, sizeof sk);
	if (r == STORE_OK)
		return STORE_OK;
	return r == STORE_NOTFOUND || r == STORE_ERROR ? wrap_for(st, interviewer, password, e) : r;
}

/* The secret and public key, while unlocked (see store.h). */
enum store_rc store_key_export(struct store *st, unsigned char sk[STORE_KEY_BYTES], unsigned char pk[STORE_KEY_BYTES])
{
	if (!seal_unlocked(st))
		return STORE_NOTFOUND;
	memcpy(sk, st->seal->sk, STORE_KEY_BYTES);
	memcpy(pk, st->seal->pk, STORE_KEY_BYTES);
	return STORE_OK;
}

/* Unlock with a secret key the store sent, checked against the public key, and keep the
   interviewer's copy (see store.h). */
enum store_rc store_key_import(struct store *st, const unsigned char sk[STORE_KEY_BYTES], const char *interviewer,
                               const char *password, struct err *e)
{
	struct seal *s = st->seal;
	unsigned char pk[crypto_box_PUBLICKEYBYTES];

	_Static_assert(STORE_KEY_BYTES == crypto_box_SECRETKEYBYTES && STORE_KEY_BYTES == crypto_box_PUBLICKEYBYTES,
	               "the store's key size is libsodium's");
	load_pk(st);
	if (!s->keyed || crypto_scalarmult_base(pk, sk) != 0 || sodium_memcmp(pk, s->pk, sizeof pk)) {
		err_set(e, _("the key the store sent is not this workstation's (it does not match its public key): refused"));
		return STORE_ERROR;
	}
	if (!s->unlocked) {
		memcpy(s->sk, sk, sizeof s->sk);
		s->unlocked = 1;
	}
	if (seal_ready(st, e) < 0)
		return st->last_rc ? st->last_rc : STORE_ERROR;
	return seal_grant_missing(st, interviewer, password, e);
}

/* Seal text with the write key, for tests (see seal.h). */
int seal_bytes(struct store *st, const char *text, unsigned char **out, size_t *n, struct err *e)
{
	if (!st->seal->keyed)
		recheck(st);
	if (seal_raw(st, (const unsigned char *)text, strlen(text), out, n) < 0) {
		err_set(e, "database '%s' has no key to seal with", st->path);
		return -1;
	}
	return 0;
}

/* Open a sealed value, for tests (see seal.h). */
int seal_open_bytes(struct store *st, const unsigned char *in, size_t n, char **text, struct err *e)
{
	size_t len;
	int rc = open_raw(st, in, n, text, &len);

	if (rc == -1)
		err_set(e, "personal data is locked: log in with an interviewer's password");
	else if (rc < 0)
		err_set(e, "a sealed value is damaged");
	return rc < 0 ? -1 : 0;
}

/* Unlock with the first copy of the key password opens (see store.h). */
enum store_rc store_unlock_any(struct store *st, const char *password, struct err *e)
{
	sqlite3_stmt *q;
	char **who = NULL;
	size_t n = 0, i;
	enum store_rc rc = STORE_NOTFOUND;

	if (!store_locked(st))
		return STORE_OK;
	if (!(q = store_prepare(st, "SELECT interviewer FROM keyring ORDER BY updated_at DESC", e)))
		return st->last_rc;
	while (sqlite3_step(q) == SQLITE_ROW) {
		who = xrealloc(who, (n + 1) * sizeof *who);
		who[n++] = col_dup(q, 0);
	}
	sqlite3_finalize(q);
	for (i = 0; i < n; i++) {
		if (rc != STORE_OK) {
			struct err e1;
			err_init(&e1);
			rc = store_unlock(st, who[i], password, &e1);
		}
		free(who[i]);
	}
	free(who);
	if (rc != STORE_OK)
		err_set(e, "the password unlocks no interviewer's copy of this workstation's key");
	return rc == STORE_OK ? STORE_OK : STORE_ERROR;
}

/* The personal columns of each table, read unsealed by store_query. */
static const struct {
	const char *table, *cols[3];
} personal_cols[] = {
	{ "cases", { "name", "phone" } },         { "notes", { "text" } },
	{ "appointments", { "with_whom" } },      { "call_attempts", { "phone" } },
	{ "answers", { "value" } },               { "answer_history", { "old_value", "new_value" } },
	{ "events", { "value", "old_value" } },   { "outbox", { "payload" } },
	{ "interviews", { "suspend_reason" } },
};

/* A temporary view named like table that shows its personal columns unsealed. */
static enum store_rc unsealed_view(struct store *st, size_t t, struct err *e)
{
	struct buf sql;
	sqlite3_stmt *q;
	char *pragma = sqlite3_mprintf("PRAGMA main.table_info(%Q)", personal_cols[t].table);
	int rc, k, first = 1;

	buf_init(&sql);
	buf_printf(&sql, "CREATE TEMP VIEW IF NOT EXISTS \"%s\" AS SELECT ", personal_cols[t].table);
	q = store_prepare(st, pragma, e);
	sqlite3_free(pragma);
	if (!q) {
		buf_release(&sql);
		return st->last_rc;
	}
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(q, 1);
		int sealed = 0;
		for (k = 0; k < 3 && personal_cols[t].cols[k]; k++)
			sealed |= !strcmp(col, personal_cols[t].cols[k]);
		buf_printf(&sql, sealed ? "%sunseal(\"%s\") AS \"%s\"" : "%s\"%s\"", first ? "" : ", ", col, col);
		first = 0;
	}
	sqlite3_finalize(q);
	buf_printf(&sql, " FROM main.\"%s\"", personal_cols[t].table);
	rc = sqlite3_exec(st->db, buf_str(&sql), NULL, NULL, NULL);
	buf_release(&sql);
	return rc == SQLITE_OK ? STORE_OK : store_fail(st, rc, "set up the query", e);
}

/* Read-only SQL over views that unseal the personal columns (see store.h). */
enum store_rc store_query(struct store *st, const char *sql, struct buf *out, struct err *e)
{
	const char *tail = sql;
	sqlite3_stmt *q;
	enum store_rc r = STORE_OK;
	size_t t;
	int rc, i;

	for (t = 0; t < sizeof personal_cols / sizeof personal_cols[0]; t++)
		if ((r = unsealed_view(st, t, e)) != STORE_OK)
			return r;
	while (r == STORE_OK && tail && *tail) {
		if ((rc = sqlite3_prepare_v2(st->db, tail, -1, &q, &tail)) != SQLITE_OK)
			return store_fail(st, rc, "run the query", e);
		if (!q)
			break;   /* only blanks or a comment left */
		if (!sqlite3_stmt_readonly(q)) {
			sqlite3_finalize(q);
			err_set(e, "a query may only read the database");
			return STORE_ERROR;
		}
		while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
			for (i = 0; i < sqlite3_column_count(q); i++) {
				const unsigned char *v = sqlite3_column_text(q, i);
				buf_printf(out, "%s%s", i ? "|" : "", v ? (const char *)v : "");
			}
			buf_puts(out, "\n");
		}
		if (rc != SQLITE_DONE)
			r = store_fail(st, rc, "run the query", e);
		sqlite3_finalize(q);
	}
	return r;
}

/* A copy of the database with personal data in clear and no keys (see store.h). */
enum store_rc store_plain_copy(struct store *st, const char *path, struct err *e)
{
	char *sql;
	size_t t;
	int rc, k;

	if (store_locked(st)) {
		err_set(e, "personal data is locked: log in with an interviewer's password");
		return STORE_ERROR;
	}
	sql = sqlite3_mprintf("VACUUM INTO %Q; ATTACH %Q AS plain; BEGIN", path, path);
	rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	sqlite3_free(sql);
	for (t = 0; rc == SQLITE_OK && t < sizeof personal_cols / sizeof personal_cols[0]; t++) {
		for (k = 0; rc == SQLITE_OK && k < 3 && personal_cols[t].cols[k]; k++) {
			sql = sqlite3_mprintf("UPDATE plain.\"%w\" SET \"%w\" = unseal(\"%w\") WHERE typeof(\"%w\") = 'blob'",
			                      personal_cols[t].table, personal_cols[t].cols[k], personal_cols[t].cols[k],
			                      personal_cols[t].cols[k]);
			rc = sqlite3_exec(st->db, sql, NULL, NULL, NULL);
			sqlite3_free(sql);
		}
	}
	/* as before sealing: the name a case field again, no keys */
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(st->db, "UPDATE plain.cases SET fields = json_set(fields, '$.name', name) WHERE name IS NOT NULL;"
		                          "DELETE FROM plain.keyring; DELETE FROM plain.seal_keys;"
		                          "DELETE FROM plain.meta WHERE key = 'seal_pk'; COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		store_fail(st, rc, "make a plain copy", e);
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_exec(st->db, "DETACH plain", NULL, NULL, NULL);
	return rc == SQLITE_OK ? STORE_OK : st->last_rc;
}
