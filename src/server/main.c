/* main.c: the cati-store program: serve the API, manage users. */
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cati/central.h"
#include "cati/db.h"
#include "cati/pg.h"

struct MHD_Daemon *server_start(const char *db, const char *bind_ip, unsigned port,
                                const char *cert, const char *key, const char *priority,
                                unsigned per_address, int *actual_port, struct err *e);
int server_faults(const char *spec, unsigned delay_ms);
void server_stop(struct MHD_Daemon *d);
int srv_cmd_quota(struct central *c, int argc, char **argv);
int srv_cmd_export(struct central *c, int argc, char **argv);
int srv_cmd_report(struct central *c, int argc, char **argv);
int srv_cmd_workstation(struct central *c, int argc, char **argv);

static const char *usage =
	"usage: cati-store serve --db PATH --cert CERT.pem --key KEY.pem [--bind IP] [--port N]\n"
	"                       [--tls-priority GNUTLS-PRIORITY]   (default: TLS 1.2/1.3, ECDHE, AEAD only)\n"
	"                       [--connections-per-address N]      (default 64, of 1000 in all)\n"
	"       cati-store serve --db PATH --insecure-http [--port N]   (plain HTTP on 127.0.0.1, for tests)\n"
	"       cati-store user add NAME --role admin|supervisor|interviewer [--projects STUDY,...] --db PATH\n"
	"                                                         (password on stdin)\n"
	"       cati-store user projects NAME STUDY,...|'*' --db PATH   (a supervisor's projects)\n"
	"       cati-store user passwd NAME --db PATH                                 (password on stdin)\n"
	"       cati-store user disable NAME --db PATH\n"
	"       cati-store user delete NAME --db PATH     (ends the user's tokens for good)\n"
	"       cati-store workstation list --db PATH              (registered workstations, by user)\n"
	"       cati-store workstation retire ID --db PATH         (no more allowances or locks, for good)\n"
	"       cati-store export STUDY --format csv|json|sav|dta|sss|ddi|codebook --out FILE [--lang L] [--calls FILE.csv] --db PATH\n"
	"       cati-store migrate --pg postgresql://USER@HOST:PORT/DB   (the PostgreSQL backend's schema)\n"
	"       cati-store quota list STUDY --db PATH                 (cells, targets, counts, allowances)\n"
	"       cati-store quota set STUDY QUOTA [CELL] [--target N] [--close|--open] [--allowance N] --db PATH\n"
	"       cati-store report STUDY --db PATH [--format text|csv|json] [--section NAME] [--by FIELD,...]\n"
	"                                                         (the supervisor's report, without a screen)\n"
	"       cati-store check --figures --db PATH   (the counts pulls send, kept as records arrive, against a\n"
	"                                                         full count from the records; exit 1 if they differ)\n"
	"Every --db PATH (an SQLite file) may be --pg postgresql://USER@HOST:PORT/DB instead: the same\n"
	"store on PostgreSQL, shared by several cati-store instances (password in ~/.pgpass or PGPASSWORD).\n"
	"Testing only: serve --faults 500@N,drop@N,slow@N [--fault-delay-ms MS] injects faults into the Nth push.\n";

/* Print a line of the figures check. */
static void print_line(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
}

/* cati-store check --figures: the kept counts against a full count; 0 equal, 1 different. */
static int check_figures(struct central *c)
{
	struct err e;
	int differ;

	err_init(&e);
	if (central_figures_check(c, &differ, print_line, stdout, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 2;
	}
	if (differ) {
		printf("cati-store: %d of the kept counts differ from a full count\n", differ);
		return 1;
	}
	printf("cati-store: the kept counts agree with a full count\n");
	return 0;
}

/* The first line of standard input, without its newline. */
static int read_password(char *pw, size_t n)
{
	if (!fgets(pw, (int)n, stdin))
		return -1;
	pw[strcspn(pw, "\r\n")] = '\0';
	return pw[0] ? 0 : -1;
}

static int serve(int argc, char **argv, const char *db)
{
	const char *certf = srv_opt(argc, argv, "--cert"), *keyf = srv_opt(argc, argv, "--key");
	const char *bind_ip = srv_opt(argc, argv, "--bind"), *ports = srv_opt(argc, argv, "--port");
	const char *per = srv_opt(argc, argv, "--connections-per-address");
	int insecure = srv_flag(argc, argv, "--insecure-http"), port, sig;
	long per_address = 0;
	char *cert = NULL, *key = NULL;
	struct MHD_Daemon *d;
	struct err e;
	sigset_t set;
	size_t n;

	if (!bind_ip)
		bind_ip = "127.0.0.1";
	if (!certf || !keyf) {
		if (!insecure) {
			fprintf(stderr, "cati-store: refusing to serve plain HTTP: give --cert and --key "
			                "(or --insecure-http on 127.0.0.1 for tests)\n");
			return 2;
		}
		if (strcmp(bind_ip, "127.0.0.1")) {
			fprintf(stderr, "cati-store: --insecure-http only serves on 127.0.0.1\n");
			return 2;
		}
	} else {
		err_init(&e);
		if (!(cert = read_file(certf, &n, &e)) || !(key = read_file(keyf, &n, &e))) {
			fprintf(stderr, "cati-store: %s\n", e.msg);
			free(cert);
			return 2;
		}
	}
	if (per) {
		char *end;
		per_address = strtol(per, &end, 10);
		if (*end || per_address < 1 || per_address > 1000) {
			fprintf(stderr, "cati-store: --connections-per-address wants a number from 1 to 1000\n");
			free(cert);
			free(key);
			return 2;
		}
	}
	if (srv_opt(argc, argv, "--faults")) {
		const char *ms = srv_opt(argc, argv, "--fault-delay-ms");
		if (server_faults(srv_opt(argc, argv, "--faults"), ms ? (unsigned)atoi(ms) : 3000) < 0) {
			fprintf(stderr, "cati-store: --faults wants KIND@N,... with KIND 500, drop or slow and N from 1 to 63\n");
			free(cert);
			free(key);
			return 2;
		}
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);   /* the server thread inherits the mask */
	err_init(&e);
	d = server_start(db, bind_ip, ports ? (unsigned)atoi(ports) : 0, cert, key,
	                 srv_opt(argc, argv, "--tls-priority"), (unsigned)per_address, &port, &e);
	if (!d) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		free(cert);
		free(key);
		return 1;
	}
	printf("cati-store: listening on %s://%s:%d\n", cert ? "https" : "http", bind_ip, port);
	fflush(stdout);
	sigwait(&set, &sig);
	server_stop(d);
	free(cert);
	free(key);
	return 0;
}

int main(int argc, char **argv)
{
	const char *db = srv_opt(argc, argv, "--db"), *pg = srv_opt(argc, argv, "--pg");
	struct central *c;
	struct err e;
	char pw[512];
	int rc = 0;

	db_pg_register();
	if (argc >= 2 && !strcmp(argv[1], "migrate")) {
		/* the PostgreSQL backend: its schema, set up or moved forward */
		const char *url = srv_opt(argc, argv, "--pg");
		int from, to;

		if (!url) {
			fputs("usage: cati-store migrate --pg postgresql://USER@HOST:PORT/DB\n", stderr);
			return 2;
		}
		err_init(&e);
		if (pg_migrate(url, &from, &to, &e) < 0) {
			fprintf(stderr, "cati-store: %s\n", e.msg);
			return 1;
		}
		if (from == to)
			printf("cati-store: the schema is up to date (version %d)\n", to);
		else
			printf("cati-store: schema moved from version %d to %d\n", from, to);
		return 0;
	}
	if (db && pg) {
		fputs("cati-store: give --db (SQLite) or --pg (PostgreSQL), not both\n", stderr);
		return 2;
	}
	if (pg && !db_is_pg_url(pg)) {
		fprintf(stderr, "cati-store: --pg wants a URL: postgresql://USER@HOST:PORT/DB (not '%s')\n", pg);
		return 2;
	}
	if (!db)
		db = pg;
	if (db && !pg && db_is_pg_url(db)) {
		fputs("cati-store: a PostgreSQL URL goes with --pg, not --db\n", stderr);
		return 2;
	}
	if (argc < 2 || !db) {
		fputs(usage, stderr);
		return 2;
	}
	err_init(&e);
	if (!(c = central_open(db, &e))) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 2;
	}
	if (!strcmp(argv[1], "serve")) {
		/* opened to check the store (and move its schema forward); the server opens its own */
		central_close(c);
		c = NULL;
		rc = serve(argc, argv, db);
	} else if (!strcmp(argv[1], "export")) {
		rc = srv_cmd_export(c, argc, argv);
	} else if (!strcmp(argv[1], "workstation")) {
		rc = srv_cmd_workstation(c, argc, argv);
	} else if (!strcmp(argv[1], "quota")) {
		rc = srv_cmd_quota(c, argc, argv);
	} else if (!strcmp(argv[1], "check") && srv_flag(argc, argv, "--figures")) {
		rc = check_figures(c);
	} else if (!strcmp(argv[1], "report")) {
		rc = srv_cmd_report(c, argc, argv);
	} else if (!strcmp(argv[1], "user") && argc >= 4) {
		const char *name = argv[3];
		if (!strcmp(argv[2], "add")) {
			const char *role = srv_opt(argc, argv, "--role");
			if (!role || read_password(pw, sizeof pw) < 0)
				rc = (fputs("cati-store user add: needs --role and a password on stdin\n", stderr), 2);
			else if (central_user_add(c, name, role, pw, &e) < 0 ||
			         (srv_opt(argc, argv, "--projects") &&
			          central_user_projects(c, name, srv_opt(argc, argv, "--projects"), &e) < 0))
				rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
		} else if (!strcmp(argv[2], "passwd")) {
			if (read_password(pw, sizeof pw) < 0)
				rc = (fputs("cati-store user passwd: needs the new password on stdin\n", stderr), 2);
			else if (central_user_passwd(c, name, pw, &e) < 0)
				rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
		} else if (!strcmp(argv[2], "projects") && argc >= 5 && argv[4][0] != '-') {
			if (central_user_projects(c, name, argv[4], &e) < 0)
				rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
		} else if (!strcmp(argv[2], "delete")) {
			if (central_user_delete(c, name, &e) < 0)
				rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
		} else if (!strcmp(argv[2], "disable")) {
			if (central_user_disable(c, name, &e) < 0)
				rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
		} else {
			fputs(usage, stderr);
			rc = 2;
		}
	} else {
		fputs(usage, stderr);
		rc = 2;
	}
	memset(pw, 0, sizeof pw);
	central_close(c);
	return rc;
}
