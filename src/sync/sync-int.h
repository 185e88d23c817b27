/* sync-int.h: what sync.c and autosync.c share inside the sync layer: the background session's
   token, lent to the requests of the workstation's own (a case's lock) and handed back renewed. */
#ifndef CATI_SYNC_INT_H
#define CATI_SYNC_INT_H

#include "cati/sync.h"

/* Copy c's token into token ("" when not logged in). Only from the thread that runs c. */
void sync_conn_token(const struct sync_conn *c, char token[65]);
/*
 * Take fresh (a token another request of this workstation logged in for, the workstation
 * registered under it) in place of old, when c still holds old (a revoked or expired token);
 * any other token c holds is kept. Only from the thread that runs c.
 */
void sync_conn_adopt(struct sync_conn *c, const char *old, const char *fresh);

/*
 * Copy the token of bg's session into token when bg syncs as user and is logged in: 0; else
 * -1 (token ""). Safe from any thread; bg NULL gives -1.
 */
int sync_bg_token(struct sync_bg *bg, const char *user, char token[65]);
/*
 * old, lent by sync_bg_token, was refused; the caller logged in as user for fresh: lend fresh
 * from now on and let bg's session take it before its next sync (unless it logged in meanwhile).
 * Safe from any thread; bg NULL does nothing.
 */
void sync_bg_token_renewed(struct sync_bg *bg, const char *user, const char *old, const char *fresh);

#endif
