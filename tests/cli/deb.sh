#!/bin/sh
# The Debian packages (issue 21): make deb builds cati (the workstation) and cati-store (the
# store, its systemd unit, /etc/cati/store.conf); each depends on the libraries it links and
# no more; unpacked into a throwaway root (dpkg -x: the machine is not changed) the programs
# run from another directory, the demo's forms are there and the man pages render; lintian
# reports no error and no warning. About a minute: dpkg-buildpackage builds from scratch
# (make test runs it in the lane that ends first). As root, on a machine without cati: dpkg -i
# both, the installed programs and unit, then dpkg -P, and nothing of ours may be left. With
# CATI_DEB_INSTALL=1 (make deb-test) a machine that has cati already is a failure; with auto
# (make test) the install is left out and the reason printed.
. tests/cli/lib.sh
: "${BUILD:=build}"
SRC=$(pwd)

if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	echo "dpkg-buildpackage or debhelper is missing: no package built (scripts/install-deps test)"
	finish
	exit 0
fi
case $BUILD in *san*)
	echo "not under the sanitizers (make check): the package is Debian's build, tested by make test"
	finish
	exit 0
	;;
esac

t0=$(date +%s)
OUT=$(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory BUILD="$TMP/out" deb 2>&1) ||
	{ fail "make deb failed: $(printf '%s\n' "$OUT" | tail -30)"; finish; }
echo "make deb: $(($(date +%s) - t0)) s"
printf '%s\n' "$OUT" >"$TMP/deb.log"
V=$(dpkg-parsechangelog -S Version)
WS=$TMP/out/deb/cati_${V}_$(dpkg --print-architecture).deb
ST=$TMP/out/deb/cati-store_${V}_$(dpkg --print-architecture).deb
[ -f "$WS" ] && [ -f "$ST" ] || { fail "make deb made no $WS and $ST: $(ls "$TMP/out/deb")"; finish; }
[ ! -e debian/build ] && [ ! -e debian/cati-store ] || fail "make deb left debian/build or debian/cati-store"
ls ../cati_* ../cati-* >/dev/null 2>&1 && fail "make deb left files beside the source tree"

# what each package depends on: the workstations do not get the store's libraries
dep_ws=$(dpkg-deb -f "$WS" Depends)
dep_st=$(dpkg-deb -f "$ST" Depends)
for lib in libsqlite3-0 libncursesw6 libcurl3-gnutls libsodium23; do
	printf '%s' "$dep_ws" | grep -q "$lib" || fail "cati does not depend on $lib: $dep_ws"
done
for lib in libmicrohttpd12 libgnutls30 libpq5 libsqlite3-0; do
	printf '%s' "$dep_st" | grep -q "$lib" || fail "cati-store does not depend on $lib: $dep_st"
done
printf '%s' "$dep_ws" | grep -q -e libpq -e libmicrohttpd && fail "cati depends on the store's libraries: $dep_ws"

# the store's package: the unit, enabled and started by its scripts; the configuration a conffile
dpkg-deb -e "$ST" "$TMP/ctl"
grep -qx /etc/cati/store.conf "$TMP/ctl/conffiles" || fail "/etc/cati/store.conf is not a conffile"
grep -q "deb-systemd-helper enable 'cati-store.service'" "$TMP/ctl/postinst" || fail "postinst does not enable the unit"
grep -q "deb-systemd-invoke \$_dh_action 'cati-store.service'" "$TMP/ctl/postinst" || fail "postinst does not start the unit"
grep -q "deb-systemd-invoke stop 'cati-store.service'" "$TMP/ctl/prerm" || fail "prerm does not stop the unit"

# unpacked into a throwaway root
R=$TMP/root
dpkg-deb -x "$WS" "$R"
dpkg-deb -x "$ST" "$R"
for f in usr/bin/cati usr/bin/cati-store etc/cati/store.conf lib/systemd/system/cati-store.service \
	usr/share/cati/forms/demo.form usr/share/cati/forms/demo-sample.csv \
	usr/share/man/man1/cati.1.gz usr/share/man/man5/cati-form.5.gz usr/share/man/man8/cati-store.8.gz \
	usr/share/doc/cati/copyright usr/share/doc/cati-store/copyright \
	usr/share/locale/de/LC_MESSAGES/cati.mo usr/share/locale/nl/LC_MESSAGES/cati-store.mo; do
	[ -f "$R/$f" ] || fail "the packages hold no /$f"
done
keys=$(grep -v '^#' "$R/etc/cati/store.conf" | sed -n 's/^\([a-z-]*\) = .*/\1/p' | tr '\n' ' ')
[ "$keys" = "db cert key bind port " ] || fail "store.conf holds the keys '$keys', expected db cert key bind port"
grep -qx 'ExecStart=/usr/bin/cati-store serve --config /etc/cati/store.conf' \
	"$R/lib/systemd/system/cati-store.service" || fail "the packaged unit does not run /usr/bin/cati-store"
grep -q /usr/share/cati "$R/usr/bin/cati" || fail "the packaged cati does not look in /usr/share/cati"

mkdir -p "$TMP/elsewhere"
cd "$TMP/elsewhere" || exit 1
expect_exit 0 "$R/usr/bin/cati" --version
expect_out "cati $V"
expect_exit 0 "$R/usr/bin/cati-store" --version
expect_out "$V"
expect_exit 0 "$R/usr/bin/cati" demo --setup-only --db "$TMP/demo.db" \
	--form "$R/usr/share/cati/forms/demo.form" --sample "$R/usr/share/cati/forms/demo-sample.csv"
cd "$SRC" || exit 1
for p in man1/cati.1.gz man5/cati-form.5.gz man8/cati-store.8.gz; do
	out=$(MANWIDTH=80 man --warnings -l "$R/usr/share/man/$p" 2>&1 >/dev/null)
	[ -z "$out" ] || fail "man --warnings -l $p: $out"
done

# lintian: no error, no warning (its other tags are printed)
if command -v lintian >/dev/null; then
	out=$(lintian --display-info --pedantic "$WS" "$ST" 2>&1 | grep -v 'running with root privileges')
	echo "lintian: ${out:-no tags}"
	printf '%s\n' "$out" | grep -q '^[EW]: ' && fail "lintian: $out"
fi
# dpkg -i and dpkg -P on this machine, only when asked to and when nothing of ours is here
OURS="/usr/bin/cati /usr/bin/cati-store /usr/share/cati /etc/cati /var/lib/cati /var/lib/private/cati
/lib/systemd/system/cati-store.service /etc/systemd/system/multi-user.target.wants/cati-store.service
/usr/share/man/man1/cati.1.gz /usr/share/doc/cati /usr/share/doc/cati-store"
present() {
	for f in $OURS; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done
	dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' cati cati-store 2>/dev/null | grep -v '^un' | grep -v '^ *$'
}
if [ "${CATI_DEB_INSTALL:-0}" = 0 ]; then
	echo "dpkg -i not tried (make test and make deb-test do, as root)"
elif [ "$(id -u)" != 0 ]; then
	echo "dpkg -i not tried: not root"
elif [ -n "$(present)" ] && [ "$CATI_DEB_INSTALL" = auto ]; then
	echo "dpkg -i not tried: cati is on this machine already: $(present | tr '\n' ' ')"
elif [ -n "$(present)" ]; then
	fail "dpkg -i not tried: cati is on this machine already: $(present)"
else
	OUT=$(dpkg -i "$WS" "$ST" 2>&1) || fail "dpkg -i failed: $OUT"
	echo "$OUT" | tail -3
	cd "$TMP/elsewhere" || exit 1
	# the installed demo finds its forms in /usr/share/cati, from any directory
	expect_exit 0 cati demo --setup-only --db "$TMP/sys.db"
	expect_exit 0 cati-store --help
	cd "$SRC" || exit 1
	[ -L /etc/systemd/system/multi-user.target.wants/cati-store.service ] || fail "dpkg -i did not enable cati-store.service"
	if command -v systemd-analyze >/dev/null; then
		OUT=$(systemd-analyze verify --recursive-errors=no /lib/systemd/system/cati-store.service 2>&1) ||
			fail "systemd-analyze verify on the installed unit: $OUT"
	fi
	MANWIDTH=80 man cati-store 2>/dev/null | grep -q 'cati-store init' || fail "man cati-store does not show the page"
	OUT=$(dpkg -P cati cati-store 2>&1) || fail "dpkg -P failed: $OUT"
	# the package leaves the store's data on purge: none was made here, so none may be left, except
	# what a cati-store init in postinst made, which this test removes
	rm -rf /var/lib/cati /var/lib/private/cati
	left=$(present)
	[ -z "$left" ] || fail "dpkg -P left: $left"
fi
finish
