/* init.c: `cati-store init DIR`: a private certificate authority, the store's certificate and
   key, a configuration file and an empty database, made in one go (GnuTLS, no openssl). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cati/i18n.h"
#include "args.h"
#include "cati/central.h"
#include "cati/db.h"

#define CA_DAYS (10 * 365)     /* the private CA: ten years */
#define CERT_DAYS (5 * 365)    /* the store's certificate: five years (renewal: README) */
#define MAX_NAMES 16
#define DEFAULT_PORT 8443

int srv_cmd_init(int argc, char **argv);

static const char init_usage[] =
	N_("usage: cati-store init DIR [--name HOST]... [--port N] [--bind IP] [--pg URL]\n"
	"       Makes DIR/ca.pem and ca.key (a private certificate authority), DIR/store.pem and\n"
	"       store.key (the store's certificate for every --name: host names or IP addresses;\n"
	"       default this machine's host name and 127.0.0.1), DIR/store.conf (for serve --config)\n"
	"       and an empty store DIR/central.db (or the PostgreSQL store --pg URL).\n"
	"       --port N: the port the store will serve on (default 8443); --bind IP (default 0.0.0.0).\n"
	"       Refuses a DIR that already holds a certificate authority: keys are never overwritten.\n");

/* Write data to path, created new (never over an existing file) with mode. 0, or -1 after a message. */
static int write_new(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	ssize_t w;

	if (fd < 0) {
		fprintf(stderr, _("cati-store init: cannot create '%s': %s\n"), path, strerror(errno));
		return -1;
	}
	w = write(fd, data, n);
	if (w < 0 || (size_t)w != n || fsync(fd) < 0) {
		fprintf(stderr, _("cati-store init: cannot write '%s': %s\n"), path, strerror(errno));
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A fresh ECDSA P-256 key; NULL after a message. */
static gnutls_x509_privkey_t new_key(void)
{
	gnutls_x509_privkey_t k;

	if (gnutls_x509_privkey_init(&k) < 0)
		return NULL;
	if (gnutls_x509_privkey_generate(k, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0) < 0) {
		fputs(_("cati-store init: cannot make a key\n"), stderr);
		gnutls_x509_privkey_deinit(k);
		return NULL;
	}
	return k;
}

/* The fields every certificate shares: version, a random serial, validity, subject and key. */
static int cert_common(gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, const char *dn, int days)
{
	unsigned char serial[16];
	time_t now = time(NULL);
	const char *bad;

	if (gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial) < 0)
		return -1;
	serial[0] &= 0x7f;   /* a positive number */
	return gnutls_x509_crt_set_version(crt, 3) < 0 || gnutls_x509_crt_set_serial(crt, serial, sizeof serial) < 0 ||
	               gnutls_x509_crt_set_activation_time(crt, now - 3600) < 0 ||
	               gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400) < 0 ||
	               gnutls_x509_crt_set_dn(crt, dn, &bad) < 0 || gnutls_x509_crt_set_key(crt, key) < 0
	           ? -1
	           : 0;
}

/* Add name to the certificate's subjectAltName: an IP address as such, anything else as a DNS name. */
static int add_name(gnutls_x509_crt_t crt, const char *name)
{
	unsigned char ip[16];

	if (inet_pton(AF_INET, name, ip) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4, GNUTLS_FSAN_APPEND);
	if (inet_pton(AF_INET6, name, ip) == 1)
		return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16, GNUTLS_FSAN_APPEND);
	return gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, name, (unsigned)strlen(name),
	                                            GNUTLS_FSAN_APPEND);
}

/* Export a certificate or key as PEM into path (created new, mode). 0 or -1 after a message. */
static int save_pem(const char *path, gnutls_x509_crt_t crt, gnutls_x509_privkey_t key, mode_t mode)
{
	gnutls_datum_t d = { NULL, 0 };
	int rc = crt ? gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &d)
	             : gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN, &d);

	if (rc < 0) {
		fprintf(stderr, _("cati-store init: cannot encode '%s': %s\n"), path, gnutls_strerror(rc));
		return -1;
	}
	rc = write_new(path, d.data, d.size, mode);
	gnutls_free(d.data);
	return rc;
}

/* DIR/NAME into path (n bytes); init checked first that every such name fits. */
static void in_dir(char *path, size_t n, const char *dir, const char *name)
{
	if (snprintf(path, n, "%s/%s", dir, name) >= (int)n)
		path[0] = '\0';
}

/* Make the CA and the store's certificate for names into dir. 0 or -1 after a message. */
static int make_certs(const char *dir, const char *const *names, int nnames)
{
	gnutls_x509_privkey_t cakey = NULL, key = NULL;
	gnutls_x509_crt_t ca = NULL, crt = NULL;
	unsigned char id[64];
	size_t idlen = sizeof id;
	char path[PATH_MAX], dn[300];
	int i, rc = -1;

	if (!(cakey = new_key()) || !(key = new_key()) || gnutls_x509_crt_init(&ca) < 0 || gnutls_x509_crt_init(&crt) < 0)
		goto out;
	snprintf(dn, sizeof dn, "CN=cati store CA %s", names[0]);
	if (cert_common(ca, cakey, dn, CA_DAYS) < 0 || gnutls_x509_crt_set_basic_constraints(ca, 1, 0) < 0 ||
	    gnutls_x509_crt_set_key_usage(ca, GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN) < 0 ||
	    gnutls_x509_crt_get_key_id(ca, 0, id, &idlen) < 0 || gnutls_x509_crt_set_subject_key_id(ca, id, idlen) < 0 ||
	    gnutls_x509_crt_sign2(ca, ca, cakey, GNUTLS_DIG_SHA256, 0) < 0) {
		fputs(_("cati-store init: cannot make the certificate authority\n"), stderr);
		goto out;
	}
	/* the common name is only for people: clients check the subjectAltName */
	snprintf(dn, sizeof dn, "CN=%s", names[0]);
	if (strpbrk(names[0], ",+=\\\"<>;#"))
		snprintf(dn, sizeof dn, "CN=cati store");
	if (cert_common(crt, key, dn, CERT_DAYS) < 0 || gnutls_x509_crt_set_basic_constraints(crt, 0, -1) < 0 ||
	    gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE) < 0 ||
	    gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0) < 0 ||
	    gnutls_x509_crt_set_authority_key_id(crt, id, idlen) < 0) {
		fputs(_("cati-store init: cannot make the store's certificate\n"), stderr);
		goto out;
	}
	for (i = 0; i < nnames; i++)
		if (add_name(crt, names[i]) < 0) {
			fprintf(stderr, _("cati-store init: '%s' cannot go into a certificate\n"), names[i]);
			goto out;
		}
	if (gnutls_x509_crt_sign2(crt, ca, cakey, GNUTLS_DIG_SHA256, 0) < 0) {
		fputs(_("cati-store init: cannot sign the store's certificate\n"), stderr);
		goto out;
	}
	/* the keys first: a failure leaves no certificate without its key */
	in_dir(path, sizeof path, dir, "ca.key");
	if (save_pem(path, NULL, cakey, 0600) < 0)
		goto out;
	in_dir(path, sizeof path, dir, "store.key");
	if (save_pem(path, NULL, key, 0600) < 0)
		goto out;
	in_dir(path, sizeof path, dir, "ca.pem");
	if (save_pem(path, ca, NULL, 0644) < 0)
		goto out;
	in_dir(path, sizeof path, dir, "store.pem");
	if (save_pem(path, crt, NULL, 0644) < 0)
		goto out;
	rc = 0;
out:
	if (crt)
		gnutls_x509_crt_deinit(crt);
	if (ca)
		gnutls_x509_crt_deinit(ca);
	if (key)
		gnutls_x509_privkey_deinit(key);
	if (cakey)
		gnutls_x509_privkey_deinit(cakey);
	return rc;
}

/* Write DIR/store.conf: every path absolute, so the service may start from any directory. */
static int write_conf(const char *dir, const char *pg, const char *bind_ip, long port)
{
	char path[PATH_MAX], text[4 * PATH_MAX + 1024];
	time_t now = time(NULL);
	struct tm tm;
	char when[32];
	int n;

	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	n = snprintf(text, sizeof text,
	             "# cati-store configuration, written by cati-store init on %s.\n"
	             "# Start the store with: cati-store serve --config %s/store.conf\n"
	             "# Keys: db, pg, cert, key, bind, port, tls-priority, connections-per-address, log.\n"
	             "# Options given on the command line override these lines.\n"
	             "%s%s%s%s\n"
	             "cert = %s/store.pem\n"
	             "key = %s/store.key\n"
	             "bind = %s\n"
	             "port = %ld\n"
	             "# log = requests      (one line per request to stderr; quiet: failures only)\n",
	             when, dir, pg ? "pg = " : "db = ", pg ? pg : dir, pg ? "" : "/central.db", "", dir, dir, bind_ip,
	             port);
	if (n < 0 || (size_t)n >= sizeof text)
		return -1;
	in_dir(path, sizeof path, dir, "store.conf");
	return write_new(path, text, (size_t)n, 0640);
}

/* cati-store init DIR: everything a store needs to start, and the lines that come next. */
int srv_cmd_init(int argc, char **argv)
{
	static const struct option longs[] = { { "name", required_argument, NULL, 'n' },
		                               { "port", required_argument, NULL, 'p' },
		                               { "bind", required_argument, NULL, 'b' },
		                               { "pg", required_argument, NULL, 'P' },
		                               SRV_OPT_HELP, { 0 } };
	const char *names[MAX_NAMES], *pg = NULL, *bind_ip = "0.0.0.0";
	char dir[PATH_MAX], path[PATH_MAX], host[256];
	int ch, nnames = 0, v6;
	size_t n;
	long port = DEFAULT_PORT;
	struct central *c;
	struct in_addr a;
	struct stat sb;
	struct err e;

	for (opt_reset(); (ch = opt_next(argc, argv, "h", longs, "cati-store init", init_usage)) != -1;) {
		switch (ch) {
		case 'h': return 0;
		case 'n':
			if (nnames == MAX_NAMES || !*optarg || strlen(optarg) > 253) {
				fprintf(stderr, _("cati-store init: --name wants a host name or address (at most %d)\n"), MAX_NAMES);
				return 2;
			}
			names[nnames++] = optarg;
			break;
		case 'p':
			if (opt_number("cati-store init", "--port", optarg, 1, 65535, &port) < 0)
				return 2;
			break;
		case 'b':
			if (inet_pton(AF_INET, optarg, &a) != 1) {
				fprintf(stderr, _("cati-store init: --bind wants an IPv4 address (not '%s')\n"), optarg);
				return 2;
			}
			bind_ip = optarg;
			break;
		case 'P': pg = optarg; break;
		default: return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(_(init_usage), stderr);
		return 2;
	}
	if (pg && !db_is_pg_url(pg)) {
		fprintf(stderr, _("cati-store init: --pg wants a URL: postgresql://USER@HOST:PORT/DB (not '%s')\n"), pg);
		return 2;
	}
	if (!nnames) {
		if (gethostname(host, sizeof host) == 0 && host[0] && strcmp(host, "localhost"))
			names[nnames++] = host;
		names[nnames++] = "127.0.0.1";
	}
	if (mkdir(argv[optind], 0750) < 0 && errno != EEXIST) {
		fprintf(stderr, _("cati-store init: cannot make '%s': %s\n"), argv[optind], strerror(errno));
		return 1;
	}
	/* absolute, so the configuration holds wherever the store is started from */
	if (argv[optind][0] == '/')
		snprintf(dir, sizeof dir, "%s", argv[optind]);
	else if (!getcwd(path, sizeof path)) {
		fprintf(stderr, _("cati-store init: cannot use '%s': %s\n"), argv[optind], strerror(errno));
		return 1;
	} else if (snprintf(dir, sizeof dir, "%s/%s", path, argv[optind]) >= (int)sizeof dir) {
		fprintf(stderr, _("cati-store init: '%s': the path is too long\n"), argv[optind]);
		return 1;
	}
	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	if (n + sizeof "/store.conf" > sizeof path) {   /* the longest name init writes there */
		fprintf(stderr, _("cati-store init: '%s': the path is too long\n"), argv[optind]);
		return 1;
	}
	in_dir(path, sizeof path, dir, "ca.key");
	if (stat(path, &sb) == 0 || (in_dir(path, sizeof path, dir, "ca.pem"), stat(path, &sb) == 0)) {
		fprintf(stderr, _("cati-store init: '%s' already holds a certificate authority (%s): "
		                "nothing was changed\n"), dir, path);
		return 1;
	}
	in_dir(path, sizeof path, dir, "store.conf");
	if (stat(path, &sb) == 0) {
		fprintf(stderr, _("cati-store init: '%s' already exists: nothing was changed\n"), path);
		return 1;
	}
	gnutls_global_init();
	if (make_certs(dir, names, nnames) < 0 || write_conf(dir, pg, bind_ip, port) < 0)
		return 1;
	in_dir(path, sizeof path, dir, "central.db");
	err_init(&e);
	if (!(c = central_open(pg ? pg : path, &e))) {
		fprintf(stderr, _("cati-store init: %s\n"), e.msg);
		return 1;
	}
	central_close(c);
	v6 = strchr(names[0], ':') != NULL;   /* an IPv6 address goes in brackets in a URL */
	printf(_("cati-store: a new store in %s\n"
	       "  certificate authority: %s/ca.pem (its key ca.key: keep it secret, off this machine if you can)\n"
	       "  store certificate:     %s/store.pem for %s"),
	       dir, dir, dir, names[0]);
	for (ch = 1; ch < nnames; ch++)
		printf(", %s", names[ch]);
	printf(_("\n  configuration:         %s/store.conf\n"
	       "  store:                 %s%s\n\n"
	       "The first supervisor (the password on stdin):\n"
	       "  cati-store user add SUPERVISOR --role supervisor --projects '*' %s %s%s\n"
	       "Start the store:\n"
	       "  cati-store serve --config %s/store.conf\n"
	       "On each workstation, with ca.pem copied to %s/ca.pem there:\n"
	       "  cati enroll https://%s%s%s:%ld --cacert %s/ca.pem\n"
	       "  cati sync --user INTERVIEWER        (the password on stdin or in $CATI_PASSWORD)\n"),
	       dir, pg ? pg : dir, pg ? "" : "/central.db", pg ? "--pg" : "--db", pg ? pg : dir,
	       pg ? "" : "/central.db", dir, dir, v6 ? "[" : "", names[0], v6 ? "]" : "", port, dir);
	return 0;
}
