#!/bin/sh
# Usage: tests/test-results.sh DIR...
#
# Reads the results automake's test driver left in DIR/*.trs (each DIR a
# tests directory of a build after `make check`) and prints one line per
# test that did not pass, then "N passed, N failed, N skipped".
#
# A skipped test counts as failed unless its name (e.g. btrfs.test, or
# btrfs; the .trs file has no .test) is in
# $TA_ALLOWED_SKIPS (names separated by blanks; .ci/run keeps the list,
# each entry with its reason).  Every skip prints what the test said was
# missing (lib.sh's skip() writes "SKIP: NAME: missing: ..." to its log).
# Exits 0 when nothing failed and at least one test passed, 1 otherwise.
set -u

pass=0 fail=0 skip=0
for dir; do
	for trs in "$dir"/*.trs; do
		[ -f "$trs" ] || continue
		name=$(basename "$trs" .trs)
		log=${trs%.trs}.log
		result=$(sed -n 's/^:test-result: //p' "$trs" | head -1)
		case $result in
		PASS|XFAIL)
			pass=$((pass + 1))
			;;
		SKIP)
			why=$(sed -n 's/^SKIP: [^:]*: //p' "$log" 2>/dev/null | head -1)
			allowed=no
			for t in ${TA_ALLOWED_SKIPS:-}; do
				[ "${t%.test}" = "$name" ] && allowed=yes
			done
			case $allowed in
			yes)
				skip=$((skip + 1))
				echo "SKIP: $name (allowed): ${why:-no reason given in $log}"
				;;
			no)
				fail=$((fail + 1))
				echo "FAIL: $name skipped, and may not: ${why:-no reason given in $log}"
				;;
			esac
			;;
		*)
			fail=$((fail + 1))
			echo "FAIL: $name: ${result:-no result} (see $log)"
			;;
		esac
	done
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$pass" -gt 0 ] || { echo "no test ran" >&2; exit 1; }
[ "$fail" -eq 0 ]
