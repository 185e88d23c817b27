#!/bin/sh
# Two programs, two houses (issue 19): the workstation (cati) links none of the central store's
# code and no libpq; the central store (cati-store) links none of the workstation's database,
# engine, sync client, view or screens, and no curses or libcurl. Read off the binaries with nm:
# every global function an object of a layer defines must be absent from the other program.
. tests/cli/lib.sh
: "${CATI_STORE:=bin/cati-store}"
: "${BUILD:=build}"

command -v nm >/dev/null || { echo "nm is missing (binutils)"; exit 1; }

# defined NAME...: the global functions the objects or binaries define, one per line, sorted
defined() {
	nm --defined-only "$@" 2>/dev/null | awk '$2 == "T" { print $3 }' | sort -u
}

# layer DIR...: the global functions of the objects of src/DIR/*.c (each program has its main)
layer() {
	objs=
	for d in "$@"; do
		for c in src/"$d"/*.c; do
			o="$BUILD/${c%.c}.o"
			[ -e "$o" ] || { fail "$o is missing: build first"; continue; }
			objs="$objs $o"
		done
	done
	# shellcheck disable=SC2086
	defined $objs | grep -vx main
}

defined "$CATI" >"$TMP/cati.syms"
defined "$CATI_STORE" >"$TMP/store.syms"
[ -s "$TMP/cati.syms" ] || fail "nm found no functions in $CATI"
[ -s "$TMP/store.syms" ] || fail "nm found no functions in $CATI_STORE"

# the central store's layers and its server are not in the workstation
layer central server >"$TMP/central.syms"
[ -s "$TMP/central.syms" ] || fail "no functions in the central store's objects"
comm -12 "$TMP/cati.syms" "$TMP/central.syms" >"$TMP/both"
[ -s "$TMP/both" ] && fail "cati links the central store's code: $(head -5 "$TMP/both" | tr '\n' ' ')"

# the workstation's layers are not in the central store
layer store engine sync view screens tui cli >"$TMP/ws.syms"
[ -s "$TMP/ws.syms" ] || fail "no functions in the workstation's objects"
comm -12 "$TMP/store.syms" "$TMP/ws.syms" >"$TMP/both"
[ -s "$TMP/both" ] && fail "cati-store links the workstation's code: $(head -5 "$TMP/both" | tr '\n' ' ')"

# and the libraries follow: libpq only in the store, curses and libcurl only in the workstation
nm -u "$CATI" | grep -q ' PQconnectdb' && fail "cati links libpq"
nm -u "$CATI_STORE" | grep -q ' PQconnectdb' || fail "cati-store does not link libpq"
nm -u "$CATI_STORE" | grep -qE ' (initscr|newterm)' && fail "cati-store links curses"
nm -u "$CATI_STORE" | grep -q ' curl_easy_init' && fail "cati-store links libcurl"
nm -u "$CATI" | grep -q ' curl_easy_init' || fail "cati does not link libcurl"

# both share what lies below: the form language and the SQL drivers' SQLite part
grep -qx form_compile "$TMP/cati.syms" || fail "cati lacks form_compile"
grep -qx form_compile "$TMP/store.syms" || fail "cati-store lacks form_compile"
grep -qx db_open "$TMP/store.syms" || fail "cati-store lacks db_open"
finish
