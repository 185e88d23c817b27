/* main.c: the cati-store program: serve the API, manage users. */
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "cati/central.h"
#include "cati/db.h"
#include "cati/i18n.h"
#include "cati/pg.h"
#include "cati/version.h"

struct MHD_Daemon *server_start(const char *db, const char *bind_ip, unsigned port,
                                const char *cert, const char *key, const char *priority,
                                unsigned per_address, int *actual_port, struct err *e);
int server_faults(const char *spec, unsigned delay_ms);
void server_stop(struct MHD_Daemon *d);
int srv_cmd_quota(int argc, char **argv);
int srv_cmd_export(int argc, char **argv);
int srv_cmd_audit(int argc, char **argv);
int srv_cmd_report(int argc, char **argv);
int srv_cmd_workstation(int argc, char **argv);
int srv_cmd_init(int argc, char **argv);
int srv_cmd_backup(int argc, char **argv);
int srv_cmd_erase(int argc, char **argv);
int srv_cmd_dnc(int argc, char **argv);
void server_log_requests(int on);

#define DEFAULT_CONF "/etc/cati/store.conf"   /* serve reads it when it exists and no --config is given */

static const char *usage =
	N_("usage: cati-store --version | --help | COMMAND --help\n"
	"       cati-store init DIR [--name HOST]... [--port N] [--bind IP] [--pg URL]\n"
	"                       (a private CA, the store's certificate and key, DIR/store.conf, an empty store)\n"
	"       cati-store serve --db PATH --cert CERT.pem --key KEY.pem [--bind IP] [--port N (0: any free port)]\n"
	"                       [--tls-priority GNUTLS-PRIORITY]   (default: TLS 1.2/1.3, ECDHE, AEAD only)\n"
	"                       [--connections-per-address N]      (default 64, of 1000 in all)\n"
	"       cati-store serve --db PATH --insecure-http [--port N]   (plain HTTP on 127.0.0.1, for tests)\n"
	"       cati-store serve --config FILE [OPTION...]   (key = value lines, one per option; see serve --help)\n"
	"       cati-store user add NAME --role admin|supervisor|interviewer [--projects STUDY,...] --db PATH\n"
	"                                                         (password on stdin)\n"
	"       cati-store user projects NAME STUDY,...|'*' --db PATH   (a supervisor's projects)\n"
	"       cati-store user passwd NAME --db PATH                                 (password on stdin)\n"
	"       cati-store user disable NAME --db PATH\n"
	"       cati-store user delete NAME --db PATH     (ends the user's tokens for good)\n"
	"       cati-store workstation list --db PATH              (registered workstations, by user)\n"
	"       cati-store workstation retire ID --db PATH         (no more allowances or locks, for good)\n"
	"       cati-store export STUDY --format csv|json|sav|dta|sas|sss|ddi|codebook|all --out FILE [--lang L]\n"
	"                       [--with-identities] [--pseudonyms] [--calls FILE.csv [--with-phone]] --db PATH\n"
	"       cati-store audit [--since DATE] [--user NAME] [--json] --db PATH   (who exported, erased or\n"
	"                                                         changed assignments, when and what)\n"
	"       cati-store backup FILE --db PATH | --config FILE.conf   (a consistent copy while the store serves;\n"
	"                                                         PostgreSQL: pg_dump, see README)\n"
	"       cati-store migrate --pg postgresql://USER@HOST:PORT/DB   (the PostgreSQL backend's schema)\n"
	"       cati-store quota list STUDY --db PATH                 (cells, targets, counts, allowances)\n"
	"       cati-store quota set STUDY QUOTA [CELL] [--target N] [--close|--open] [--allowance N] --db PATH\n"
	"       cati-store report STUDY --db PATH [--format text|csv|json] [--section NAME] [--by FIELD,...]\n"
	"                                                         (the supervisor's report, without a screen)\n"
	"       cati-store dnc list|add NUMBER...|remove NUMBER...|import FILE|country [CC] --db PATH\n"
	"                                                         (the do-not-call list; see dnc --help)\n"
	"       cati-store check --figures --db PATH   (the counts pulls send, kept as records arrive, against a\n"
	"                                                         full count from the records; exit 1 if they differ)\n"
	"Every --db PATH (an SQLite file) may be --pg postgresql://USER@HOST:PORT/DB instead: the same\n"
	"store on PostgreSQL, shared by several cati-store instances (password in ~/.pgpass or PGPASSWORD).\n"
	"Testing only: serve --faults 500@N,drop@N,slow@N [--fault-delay-ms MS] injects faults into the Nth push.\n");

static const char serve_usage[] =
	N_("usage: cati-store serve --db PATH --cert CERT.pem --key KEY.pem [--bind IP] [--port N]\n"
	"                       [--tls-priority GNUTLS-PRIORITY]   (default: TLS 1.2/1.3, ECDHE, AEAD only)\n"
	"                       [--connections-per-address N]      (1 to 1000, default 64)\n"
	"                       [--log requests|quiet]             (default requests: a line per request)\n"
	"                       [--country CC]   (the default country of national phone numbers, like AT; kept)\n"
	"       cati-store serve --config FILE [OPTION...]   (default /etc/cati/store.conf when it exists\n"
	"                                                     and neither --db nor --pg is given)\n"
	"       FILE has `key = value` lines and `#` comment lines; the keys are the options' names:\n"
	"       db, pg, cert, key, bind, port, tls-priority, connections-per-address, log,\n"
	"       insecure-http (yes|no), faults, fault-delay-ms, country. Options on the command line win.\n"
	"       cati-store serve --db PATH --insecure-http [--port N]   (plain HTTP on 127.0.0.1, for tests)\n"
	"       --port N: 1 to 65535, or 0 (the default) for any free port; --pg URL instead of --db PATH\n"
	"Testing only: --faults 500@N,drop@N,slow@N [--fault-delay-ms MS] injects faults into the Nth push.\n");
static const char migrate_usage[] = N_("usage: cati-store migrate --pg postgresql://USER@HOST:PORT/DB\n");
static const char check_usage[] =
	N_("usage: cati-store check --figures --db PATH|--pg URL   (the counts pulls send, kept as records arrive,\n"
	"                                 against a full count from the records; exit 1 if they differ)\n");
static const char user_usage[] =
	N_("usage: cati-store user add NAME --role admin|supervisor|interviewer [--projects STUDY,...] --db PATH\n"
	"                                                         (password on stdin)\n"
	"       cati-store user projects NAME STUDY,...|'*' --db PATH   (a supervisor's projects)\n"
	"       cati-store user passwd NAME --db PATH                                 (password on stdin)\n"
	"       cati-store user disable NAME --db PATH\n"
	"       cati-store user delete NAME --db PATH     (ends the user's tokens for good)\n");

/* Print a line of the figures check. */
static void print_line(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
}

/* cati-store check --figures: the kept counts against a full count; 0 equal, 1 different. */
static int check_figures(int argc, char **argv)
{
	static const struct option longs[] = { { "figures", no_argument, NULL, 'f' }, SRV_OPT_DB, SRV_OPT_HELP,
		                                { 0 } };
	struct srv_db d = { NULL, NULL };
	struct central *c;
	struct err e;
	int ch, differ, figures = 0, rc;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store check", check_usage)) != -1;) {
		if (ch == 'h')
			return 0;
		if (ch == 'f')
			figures = 1;
		else if (!srv_db_opt(&d, ch, optarg))
			return 2;
	}
	if (!figures || optind != argc) {
		fputs(_(check_usage), stderr);
		return 2;
	}
	if (!(c = srv_open(&d, 1, check_usage)))
		return 2;
	err_init(&e);
	if (central_figures_check(c, &differ, print_line, stdout, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		rc = 2;
	} else if (differ) {
		printf(_("cati-store: %d of the kept counts differ from a full count\n"), differ);
		rc = 1;
	} else {
		printf(_("cati-store: the kept counts agree with a full count\n"));
		rc = 0;
	}
	central_close(c);
	return rc;
}

/* The first line of standard input, without its newline. */
static int read_password(char *pw, size_t n)
{
	if (!fgets(pw, (int)n, stdin))
		return -1;
	pw[strcspn(pw, "\r\n")] = '\0';
	return pw[0] ? 0 : -1;
}

/* The settings of cati-store serve, as given. */
struct serve_opts {
	struct srv_db d;
	const char *certf, *keyf, *bind_ip, *priority, *faults, *country;
	long port, per_address, fault_ms;
	int insecure, quiet;
	char *conf_text;   /* the configuration file, which the values from it point into */
};

/* serve's options; every one but --config and --help is also a key of the configuration file. */
static const struct option serve_longs[] = {
	{ "cert", required_argument, NULL, 'c' },  { "key", required_argument, NULL, 'k' },
	{ "bind", required_argument, NULL, 'b' },  { "port", required_argument, NULL, 'p' },
	{ "tls-priority", required_argument, NULL, 't' },
	{ "connections-per-address", required_argument, NULL, 'C' },
	{ "log", required_argument, NULL, 'L' },
	{ "insecure-http", no_argument, NULL, 'I' }, { "faults", required_argument, NULL, 'F' },
	{ "fault-delay-ms", required_argument, NULL, 'M' }, { "config", required_argument, NULL, 'f' },
	{ "country", required_argument, NULL, 'K' }, SRV_OPT_DB, SRV_OPT_HELP, { 0 }
};

/* Apply option ch with arg (from the command line when cli, else from the file at where):
   0, or -1 after a message that starts with where. */
static int serve_set(struct serve_opts *o, int ch, const char *arg, const char *where, const char *name, int cli)
{
	switch (ch) {
	case 'c': o->certf = arg; break;
	case 'k': o->keyf = arg; break;
	case 'b': o->bind_ip = arg; break;
	case 't': o->priority = arg; break;
	case 'I': o->insecure = 1; break;
	case 'F': o->faults = arg; break;
	case 'K': o->country = arg; break;
	case 'L':
		if (strcmp(arg, "quiet") && strcmp(arg, "requests")) {
			fprintf(stderr, _("%s: %s: '%s' is not quiet or requests\n"), where, name, arg);
			return -1;
		}
		o->quiet = !strcmp(arg, "quiet");
		break;
	case 'p': return opt_number(where, name, arg, 0, 65535, &o->port);
	case 'C': return opt_number(where, name, arg, 1, 1000, &o->per_address);
	case 'M': return opt_number(where, name, arg, 0, 600000, &o->fault_ms);
	case 'D':
	case 'P':
		/* the command line's store replaces the file's, whichever kind each is */
		if (cli)
			o->d.db = o->d.pg = NULL;
		srv_db_opt(&o->d, ch, arg);
		break;
	default: return -1;
	}
	return 0;
}

/* One line of the configuration file: a known key with a good value. */
static int serve_conf_line(void *ctx, const char *key, const char *value, const char *where)
{
	const struct option *l;

	for (l = serve_longs; l->name; l++)
		if (!strcmp(l->name, key) && strcmp(key, "config") && strcmp(key, "help"))
			break;
	if (!l->name) {
		fprintf(stderr, _("%s: unknown key '%s' (see cati-store serve --help)\n"), where, key);
		return -1;
	}
	if (l->has_arg == no_argument) {
		if (strcmp(value, "yes") && strcmp(value, "no")) {
			fprintf(stderr, _("%s: %s: '%s' is not yes or no\n"), where, key, value);
			return -1;
		}
		return strcmp(value, "yes") ? 0 : serve_set(ctx, l->val, value, where, key, 0);
	}
	if (!*value) {
		fprintf(stderr, _("%s: %s needs a value\n"), where, key);
		return -1;
	}
	return serve_set(ctx, l->val, value, where, key, 0);
}

/* The configuration file named by --config; else the default one when it exists and the
   command line names no store (a store given in full there is not mixed with the machine's
   service's settings); else NULL. */
static const char *serve_conf_path(int argc, char **argv)
{
	int i, store = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], "--config=", 9))
			return argv[i] + 9;
		if (!strncmp(argv[i], "--db", 4) || !strncmp(argv[i], "--pg", 4))
			store = 1;
	}
	return !store && access(DEFAULT_CONF, F_OK) == 0 ? DEFAULT_CONF : NULL;
}

/* Read serve's options (the configuration file's, then the command line's over them): 0, 1 for
   --help (done), or 2 after a message. */
static int serve_args(int argc, char **argv, struct serve_opts *o)
{
	const char *conf = serve_conf_path(argc, argv);
	int ch;

	memset(o, 0, sizeof *o);
	o->bind_ip = "127.0.0.1";
	o->fault_ms = 3000;
	if (conf && srv_conf_read(conf, serve_conf_line, o, &o->conf_text) < 0)
		return 2;
	for (opt_reset(); (ch = opt_next(argc, argv, "h", serve_longs, "cati-store serve", serve_usage)) != -1;) {
		if (ch == 'h')
			return 1;
		if (ch == 'f')
			continue;
		if (ch == '?' || ch == ':' || serve_set(o, ch, optarg, "cati-store", ch == 'p' ? "--port" : ch == 'C' ? "--connections-per-address" : "--fault-delay-ms", 1) < 0)
			return 2;
	}
	if (optind != argc) {
		fprintf(stderr, _("cati-store serve: unexpected '%s'\n%s"), argv[optind], _(serve_usage));
		return 2;
	}
	return 0;
}

/* Erase the closed cases whose study's retention is up (central_erase_expired), saying how many. */
static void expire(const char *db)
{
	struct central *c;
	json_t *erased = NULL;
	struct err e;

	err_init(&e);
	if (!(c = central_open(db, &e)) || central_erase_expired(c, (int64_t)time(NULL), &erased, &e) < 0)
		fprintf(stderr, "cati-store: retention: %s\n", e.msg);
	else if (json_array_size(erased))
		printf("cati-store: retention: erased the personal data of %zu closed case(s)\n", json_array_size(erased));
	fflush(stdout);
	json_decref(erased);
	central_close(c);
}

/* Wait up to seconds for a signal of set: the signal, or 0 when the time ran out. */
static int wait_signal(const sigset_t *set, int seconds)
{
	struct timespec ts = { seconds, 0 };
	int sig;

	do
		sig = sigtimedwait(set, NULL, &ts);
	while (sig < 0 && errno == EINTR);
	return sig < 0 ? 0 : sig;
}

/* Check (and move forward) the store, then serve the API until a signal, with the options read
   (rc: serve_args' answer); the configuration's text is the caller's. */
static int serve_with(struct serve_opts *op, int rc)
{
	struct serve_opts o = *op;
	const char *db;
	struct central *c;
	int port, sig;
	char *cert = NULL, *key = NULL;
	struct MHD_Daemon *d;
	struct err e;
	sigset_t set;
	size_t n;

	if (rc)
		return rc == 1 ? 0 : 2;
	server_log_requests(!o.quiet);
	if (!(db = srv_db_name(&o.d, serve_usage)))
		return 2;
	if (!o.certf || !o.keyf) {
		if (!o.insecure) {
			fprintf(stderr, _("cati-store: refusing to serve plain HTTP: give --cert and --key "
			                "(or --insecure-http on 127.0.0.1 for tests)\n"));
			return 2;
		}
		if (strcmp(o.bind_ip, "127.0.0.1")) {
			fprintf(stderr, _("cati-store: --insecure-http only serves on 127.0.0.1\n"));
			return 2;
		}
	}
	if (o.faults && server_faults(o.faults, (unsigned)o.fault_ms) < 0) {
		fprintf(stderr, _("cati-store: --faults wants KIND@N,... with KIND 500, drop or slow and N from 1 to 63\n"));
		return 2;
	}
	/* opened to check the store (and move its schema forward); the server opens its own */
	if (!(c = srv_open(&o.d, 0, serve_usage)))
		return 2;
	err_init(&e);
	/* the default country for national phone numbers (the do-not-call list), kept in the store */
	if (o.country && central_country_set(c, o.country, &e) < 0) {
		fprintf(stderr, "cati-store: --country: %s\n", e.msg);
		central_close(c);
		return 2;
	}
	central_close(c);
	if (o.certf && o.keyf) {
		err_init(&e);
		if (!(cert = read_file(o.certf, &n, &e)) || !(key = read_file(o.keyf, &n, &e))) {
			fprintf(stderr, "cati-store: %s\n", e.msg);
			free(cert);
			return 2;
		}
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);   /* the server thread inherits the mask */
	err_init(&e);
	d = server_start(db, o.bind_ip, (unsigned)o.port, cert, key, o.priority, (unsigned)o.per_address, &port, &e);
	if (!d) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		free(cert);
		free(key);
		return 1;
	}
	printf(_("cati-store: listening on %s://%s:%d\n"), cert ? "https" : "http", o.bind_ip, port);
	fflush(stdout);
	/* from here on the store talks to clients and to its log: the API's texts and the log's
	 * lines are English whatever the operator's language (clients translate what they show);
	 * LANGUAGE exists already, so setenv only swaps its pointer while requests run */
	i18n_use("en");
	/* personal data whose study's retention is up goes at start and every hour after */
	do
		expire(db);
	while ((sig = wait_signal(&set, 3600)) == 0);
	server_stop(d);
	free(cert);
	free(key);
	return 0;
}

/* cati-store serve: read the options, serve, and free the configuration's text on every way out. */
static int serve(int argc, char **argv)
{
	struct serve_opts o;
	int rc = serve_args(argc, argv, &o);

	rc = serve_with(&o, rc);
	free(o.conf_text);
	return rc;
}

/* cati-store migrate --pg URL: the PostgreSQL backend's schema, set up or moved forward. */
static int migrate(int argc, char **argv)
{
	static const struct option longs[] = { { "pg", required_argument, NULL, 'P' }, SRV_OPT_HELP, { 0 } };
	const char *url = NULL;
	struct err e;
	int ch, from, to;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store migrate", migrate_usage)) != -1;) {
		if (ch == 'h')
			return 0;
		if (ch != 'P')
			return 2;
		url = optarg;
	}
	if (!url || optind != argc) {
		fputs(_(migrate_usage), stderr);
		return 2;
	}
	err_init(&e);
	if (pg_migrate(url, &from, &to, &e) < 0) {
		fprintf(stderr, "cati-store: %s\n", e.msg);
		return 1;
	}
	if (from == to)
		printf(_("cati-store: the schema is up to date (version %d)\n"), to);
	else
		printf(_("cati-store: schema moved from version %d to %d\n"), from, to);
	return 0;
}

/* cati-store user add|passwd|projects|disable|delete NAME: the store's users. */
static int user(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "role", required_argument, NULL, 'r' }, { "projects", required_argument, NULL, 'p' },
		SRV_OPT_DB, SRV_OPT_HELP, { 0 }
	};
	const char *role = NULL, *projects = NULL, *sub, *name;
	struct srv_db d = { NULL, NULL };
	struct central *c;
	struct err e;
	char pw[512];
	int ch, rc = 0, npos, add;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(_(user_usage), stdout);
		return 0;
	}
	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "passwd") && strcmp(argv[1], "projects") &&
	                 strcmp(argv[1], "disable") && strcmp(argv[1], "delete"))) {
		fputs(_(user_usage), stderr);
		return 2;
	}
	sub = argv[1];
	add = !strcmp(sub, "add");
	for (opt_reset(); (ch = opt_next(argc - 1, argv + 1, "h", longs, "cati-store user", user_usage)) != -1;) {
		if (ch == 'h')
			return 0;
		if (add && ch == 'r')
			role = optarg;
		else if (add && ch == 'p')
			projects = optarg;
		else if (!srv_db_opt(&d, ch, optarg)) {
			if (ch != '?')
				fprintf(stderr, _("cati-store user %s: unknown option '%s'\n%s"), sub, argv[optind], _(user_usage));
			return 2;
		}
	}
	npos = argc - 1 - optind;
	if (npos != (!strcmp(sub, "projects") ? 2 : 1)) {
		fputs(_(user_usage), stderr);
		return 2;
	}
	name = argv[1 + optind];
	if (add && !role) {
		fputs(_("cati-store user add: needs --role and a password on stdin\n"), stderr);
		return 2;
	}
	/* adding a user may make a new store; the others change an existing one */
	if (!(c = srv_open(&d, !add, user_usage)))
		return 2;
	err_init(&e);
	memset(pw, 0, sizeof pw);
	if (add) {
		if (read_password(pw, sizeof pw) < 0)
			rc = (fputs(_("cati-store user add: needs --role and a password on stdin\n"), stderr), 2);
		else if (central_user_add(c, name, role, pw, &e) < 0 ||
		         (projects && central_user_projects(c, name, projects, &e) < 0))
			rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
	} else if (!strcmp(sub, "passwd")) {
		if (read_password(pw, sizeof pw) < 0)
			rc = (fputs(_("cati-store user passwd: needs the new password on stdin\n"), stderr), 2);
		else if (central_user_passwd(c, name, pw, &e) < 0)
			rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
	} else if (!strcmp(sub, "projects")) {
		if (central_user_projects(c, name, argv[2 + optind], &e) < 0)
			rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
	} else if (!strcmp(sub, "delete")) {
		if (central_user_delete(c, name, &e) < 0)
			rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
	} else if (central_user_disable(c, name, &e) < 0) {
		rc = (fprintf(stderr, "cati-store: %s\n", e.msg), 1);
	}
	memset(pw, 0, sizeof pw);
	central_close(c);
	return rc;
}

/* cati-store COMMAND ...: each command reads its own options (argv[0] its name). */
int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} commands[] = {
		{ "serve", serve },   { "migrate", migrate },       { "user", user },
		{ "export", srv_cmd_export }, { "workstation", srv_cmd_workstation },
		{ "quota", srv_cmd_quota },   { "report", srv_cmd_report }, { "check", check_figures },
		{ "init", srv_cmd_init }, { "backup", srv_cmd_backup }, { "audit", srv_cmd_audit },
		{ "erase", srv_cmd_erase },
		{ "dnc", srv_cmd_dnc },
	};
	size_t i;

	i18n_init("cati-store", NULL);
	db_pg_register();
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("cati-store %s\n", CATI_VERSION);
		return 0;
	}
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		fputs(_(usage), stdout);
		return 0;
	}
	for (i = 0; argc >= 2 && i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	if (argc >= 2)
		fprintf(stderr, _("cati-store: unknown command '%s'\n"), argv[1]);
	fputs(_(usage), stderr);
	return 2;
}
