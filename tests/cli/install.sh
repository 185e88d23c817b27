#!/bin/sh
# Installing like a Debian program (issue 21): make install into a temporary DESTDIR with
# PREFIX=/usr puts both programs, the forms and demo, the man pages and the store's unit in
# place; the installed programs run from another directory; every man page renders without a
# warning; the unit passes systemd-analyze; make uninstall leaves no file of ours. An install
# into a real PREFIX gives a `cati demo` that finds its forms from any directory. And
# scripts/install-deps asks for no test tool when only building.
. tests/cli/lib.sh
: "${BUILD:=build}"
SRC=$(pwd)
t0=$(date +%s)

# inst ARGS...: make quietly, with the objects already built in $BUILD and the programs linked
# into $TMP/bin (the source tree's bin/ stays as it is)
inst() {
	make -s --no-print-directory BUILD="$BUILD" BINDIR="$TMP/bin" "$@" >"$TMP/make.log" 2>&1 ||
		fail "make $* failed: $(tail -20 "$TMP/make.log")"
}

# --- 1. DESTDIR, PREFIX=/usr: what goes where
D=$TMP/root
inst PREFIX=/usr DESTDIR="$D" install
for f in usr/bin/cati usr/bin/cati-store usr/share/cati/forms/demo.form \
	usr/share/cati/forms/demo-sample.csv usr/share/cati/forms/cms_jobseeker.form \
	usr/share/doc/cati/form-language.md usr/share/cati/store.conf usr/share/doc/cati/README.md \
	usr/share/man/man1/cati.1 usr/share/man/man8/cati-store.8 usr/share/man/man5/cati-form.5 \
	usr/lib/systemd/system/cati-store.service usr/share/locale/de/LC_MESSAGES/cati.mo \
	usr/share/locale/nl/LC_MESSAGES/cati.mo usr/share/locale/de/LC_MESSAGES/cati-store.mo \
	usr/share/locale/nl/LC_MESSAGES/cati-store.mo; do
	[ -f "$D/$f" ] || fail "make install did not install /$f"
done
[ -x "$D/usr/bin/cati" ] && [ -x "$D/usr/bin/cati-store" ] || fail "the programs are not executable"
grep -qx 'ExecStart=/usr/bin/cati-store serve --config /etc/cati/store.conf' \
	"$D/usr/lib/systemd/system/cati-store.service" || fail "the unit does not start /usr/bin/cati-store"
# the installed cati looks for its forms in /usr/share/cati, not in the source tree
grep -q '/usr/share/cati' "$D/usr/bin/cati" || fail "cati was not built for /usr/share/cati"

# the installed programs, run from another directory
mkdir -p "$TMP/elsewhere"
cd "$TMP/elsewhere" || exit 1
expect_exit 0 "$D/usr/bin/cati" --version
expect_out "cati $("$SRC/$CATI" --version | cut -d' ' -f2)"
expect_exit 0 "$D/usr/bin/cati-store" --help
expect_out "cati-store serve"
expect_exit 0 "$D/usr/bin/cati" demo --setup-only --db "$TMP/d1.db" \
	--form "$D/usr/share/cati/forms/demo.form" --sample "$D/usr/share/cati/forms/demo-sample.csv"
expect_exit 0 "$D/usr/bin/cati" check "$D"/usr/share/cati/forms/*.form
# the installed catalogues, found beside the installed program (../share/locale)
expect_exit 0 env LANG=de_AT.UTF-8 "$D/usr/bin/cati" --help
expect_out "Aufruf: cati"
expect_exit 0 env LANGUAGE=nl "$D/usr/bin/cati" --help
expect_out "gebruik: cati"
cd "$SRC" || exit 1

# every man page renders, with no warning from man or groff
for p in man1/cati.1 man5/cati-form.5 man8/cati-store.8; do
	page="$D/usr/share/man/$p"
	out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	[ -z "$out" ] || fail "man --warnings -l $p: $out"
	out=$(groff -ww -z -man "$page" 2>&1)
	[ -z "$out" ] || fail "groff -ww $p: $out"
	MANWIDTH=80 man -l "$page" 2>/dev/null | grep -q '^SEE ALSO' || fail "man -l $p shows no SEE ALSO"
done
for p in man1/cati.1 man8/cati-store.8; do
	MANWIDTH=80 man -l "$D/usr/share/man/$p" 2>/dev/null | grep -q '^EXIT STATUS' ||
		fail "man -l $p shows no EXIT STATUS"
done
OUT=$(MANWIDTH=80 man -l "$D/usr/share/man/man1/cati.1" 2>/dev/null)
expect_out "cati demo"

# the unit: systemd's own checks, on the installed tree (the man page reference not looked up)
if command -v systemd-analyze >/dev/null; then
	OUT=$(systemd-analyze verify --man=no --recursive-errors=no --root="$D" \
		"$D/usr/lib/systemd/system/cati-store.service" 2>&1) ||
		fail "systemd-analyze verify: $OUT"
	OUT=$(systemd-analyze security --offline=yes "$D/usr/lib/systemd/system/cati-store.service" 2>&1)
	exposure=$(printf '%s\n' "$OUT" | sed -n 's/.*Overall exposure level for cati-store.service: \([0-9.]*\).*/\1/p')
	echo "systemd-analyze security: exposure $exposure (0 best, 10 worst)"
	awk -v e="${exposure:-10}" 'BEGIN { exit !(e <= 2.0) }' || fail "the unit's exposure is $exposure, want 2.0 or less"
else
	echo "systemd-analyze is missing: the unit was not verified"
fi

# the store set up and run by the installed programs, from another directory, when cati-store
# has init (issue 21's set-up): init, serve with its configuration, a workstation enrols and syncs
if "$D/usr/bin/cati-store" init --help >/dev/null 2>&1; then
	cd "$TMP/elsewhere" || exit 1
	PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	expect_exit 0 "$D/usr/bin/cati-store" init st --name 127.0.0.1 --port "$PORT" --bind 127.0.0.1
	echo pw-anna | "$D/usr/bin/cati-store" user add anna --role interviewer --db st/central.db >/dev/null ||
		fail "the installed cati-store user add failed"
	"$D/usr/bin/cati-store" serve --config st/store.conf >serve.out 2>&1 &
	spid=$!
	n=0
	while ! grep -q listening serve.out && [ $n -lt 600 ]; do sleep 0.05; n=$((n + 1)); done
	grep -q "listening on https://127.0.0.1:$PORT" serve.out || fail "the installed store did not start: $(cat serve.out)"
	expect_exit 0 env XDG_CONFIG_HOME="$TMP/cfg" CATI_PASSWORD=pw-anna \
		"$D/usr/bin/cati" enroll "https://127.0.0.1:$PORT" --cacert st/ca.pem --user anna --db ws.db
	expect_exit 0 env XDG_CONFIG_HOME="$TMP/cfg" CATI_PASSWORD=pw-anna "$D/usr/bin/cati" sync --user anna --db ws.db
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	cd "$SRC" || exit 1
	echo "the installed store: init, serve --config, enroll, sync"
else
	echo "the installed cati-store has no init: the store's set-up not tried"
fi

# make uninstall leaves no file behind
inst PREFIX=/usr DESTDIR="$D" uninstall
left=$(find "$D" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
[ ! -e "$D/usr/share/cati" ] || fail "make uninstall left /usr/share/cati"

# --- 2. a real PREFIX: cati demo finds the installed forms from any directory
P=$TMP/prefix
inst PREFIX="$P" install
cd "$TMP/elsewhere" || exit 1
expect_exit 0 "$P/bin/cati" demo --setup-only --db "$TMP/d2.db"
[ -s "$TMP/d2.db" ] || fail "cati demo made no database"
# without the installed forms, away from the source tree, the demo says what it misses; in the
# source tree it takes ./forms
mv "$P/share/cati" "$P/share/cati.away"
expect_exit 1 "$P/bin/cati" demo --setup-only --db "$TMP/d3.db"
expect_out "forms/demo.form"
cd "$SRC" || exit 1
expect_exit 0 "$P/bin/cati" demo --setup-only --db "$TMP/d4.db"
mv "$P/share/cati.away" "$P/share/cati"
inst PREFIX="$P" uninstall
[ -z "$(find "$P" -type f)" ] || fail "make uninstall left: $(find "$P" -type f)"
# the objects built for the temporary prefix go with it
rm -rf "$BUILD/sharedir$TMP"
rmdir -p "$(dirname "$BUILD/sharedir$TMP")" 2>/dev/null

# --- 3. install-deps: building asks for no test tool
# A PATH with the shell's tools only: every program and library is missing, so --check lists
# everything each purpose needs.
mkdir -p "$TMP/path"
for c in sh ls grep tr sort echo cat env; do
	p=$(command -v "$c") && ln -s "$p" "$TMP/path/$c"
done
# and an id that says "not root", so that install-deps only says what to run
printf '#!/bin/sh\necho 1000\n' >"$TMP/path/id"
chmod +x "$TMP/path/id"
OUT=$(PATH="$TMP/path" sh scripts/install-deps --check build 2>&1)
for pkg in gcc make pkg-config libsqlite3-dev libmicrohttpd-dev libncurses-dev; do
	printf '%s\n' "$OUT" | tr ' ' '\n' | grep -qx "$pkg" || fail "install-deps --check build lacks $pkg: $OUT"
done
for pkg in pspp readstat postgresql clang tmux check libsubunit-dev valgrind lintian debhelper \
	python3 curl libxml2-utils gnutls-bin locales sqlite3 openssl; do
	printf '%s\n' "$OUT" | tr ' ' '\n' | grep -qx "$pkg" && fail "install-deps --check build asks for the test tool $pkg"
done
OUT=$(PATH="$TMP/path" sh scripts/install-deps --check test 2>&1)
for pkg in pspp readstat clang tmux lintian debhelper gcc; do
	printf '%s\n' "$OUT" | tr ' ' '\n' | grep -qx "$pkg" || fail "install-deps --check test lacks $pkg: $OUT"
done
# run by a user who may not install, it says what to run: "apt-get install gcc ..." (the space
# was missing once)
expect_exit 1 env PATH="$TMP/path" sh scripts/install-deps build
expect_out "sudo apt-get install gcc "
# the goals that only build or install ask for the build packages; the others for the test tools
# (a make of its own: not the variables of the make that runs this suite, make check's BINDIR)
for goal in run all install bin/cati bin/cati-store test check bench deb; do
	case $goal in run | all | install | bin/*) want=build ;; *) want=test ;; esac
	got=$(echo '$(info deps=$(DEPS_KIND))' |
		env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u BINDIR -u BUILD -u SAN make -n -s --no-print-directory -f Makefile -f - "$goal" 2>/dev/null |
		sed -n 's/^deps=//p')
	[ "$got" = "$want" ] || fail "make $goal installs the $got packages, expected $want"
done

echo "install.sh: $(($(date +%s) - t0)) s"
finish
