/* args.h: cati-store's options: "--NAME VALUE" and flags. */
#ifndef CATI_SERVER_ARGS_H
#define CATI_SERVER_ARGS_H

/* The value after --NAME, or NULL. */
const char *srv_opt(int argc, char **argv, const char *name);
/* 1 if the flag is given. */
int srv_flag(int argc, char **argv, const char *name);

#endif
