#!/bin/sh
# Usage: run-fuzzers.sh SECONDS [FUZZER...]
#
# Runs each libFuzzer harness (default: all of them, side by side) for
# SECONDS on a scratch copy of its corpus: the committed seeds in
# corpus/FUZZER/, the regression inputs in regressions/FUZZER/, and real
# files of this machine (small system libraries and the test fixtures for
# fuzz_elfsym, live /proc/PID/maps for fuzz_maps, none for fuzz_heap).
# Then replays every
# regression input once.  Exits 0 when no fuzzer found anything and every
# regression input passes; otherwise prints the fuzzer's report and where
# the crasher was saved: fix the bug, then keep the crasher as
# regressions/FUZZER/crash-<what> so that it is replayed from then on.
#
# The harnesses are looked for in $FUZZ_BUILDDIR, by default the current
# directory: run it from tests/fuzz of a build configured with
# --enable-fuzzers (CC=clang), or there with `make fuzz FUZZ_SECONDS=N`.
# The test fixtures are taken from $FIXTURE_DIR (default ../, the tests
# directory of that build) when `make check` has built them.  The scratch
# directory is removed unless something was found or KEEP_FUZZ_WORK is set.
# FUZZ_ARGS adds libFuzzer options (e.g. -use_value_profile=1).
set -u

usage() {
	echo "usage: $0 SECONDS [FUZZER...]" >&2
	exit 2
}

[ $# -ge 1 ] || usage
secs=$1
shift
case $secs in
'' | *[!0-9]*) usage ;;
esac
[ $# -gt 0 ] || set -- fuzz_elfsym fuzz_maps fuzz_srcline fuzz_heap

srcdir=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${FUZZ_BUILDDIR:-.}" && pwd)
fixtures=${FIXTURE_DIR:-$build/..}
work=$(mktemp -d "${TMPDIR:-/tmp}/ta-fuzz.XXXXXX") || exit 1

for fz in "$@"; do
	if [ ! -x "$build/$fz" ]; then
		echo "run-fuzzers: $build/$fz not found: configure with CC=clang" \
			"--enable-fuzzers, run make, and run this from tests/fuzz" \
			"(or set FUZZ_BUILDDIR)" >&2
		exit 1
	fi
done

# seed FUZZER FILE...: copy the files that exist into its scratch corpus.
seed() {
	dir=$work/$1/corpus
	shift
	for f in "$@"; do
		[ -f "$f" ] && cp "$f" "$dir/"
	done
	return 0
}

status=0
for fz in "$@"; do
	mkdir -p "$work/$fz/corpus" "$work/$fz/artifacts"
	for d in "$srcdir/corpus/$fz" "$srcdir/regressions/$fz"; do
		[ -d "$d" ] && find "$d" -maxdepth 1 -type f ! -name '.*' \
			-exec cp {} "$work/$fz/corpus/" \;
	done
	case $fz in
	fuzz_elfsym)
		seed "$fz" /lib/x86_64-linux-gnu/libdl.so.2 \
			/lib/x86_64-linux-gnu/libpthread.so.0 \
			/lib/x86_64-linux-gnu/librt.so.1 \
			"$fixtures"/libfixture_*.so "$fixtures"/fixture_ops_exec
		;;
	fuzz_srcline)
		seed "$fz" "$fixtures"/libfixture_*.so "$fixtures"/fixture_ops_exec
		;;
	fuzz_maps)
		cat /proc/self/maps >"$work/$fz/corpus/live-cat.maps"
		cat "/proc/$$/maps" >"$work/$fz/corpus/live-shell.maps"
		;;
	esac
	# libdw's own leaks on corrupt DWARF are not the harness's (lsan.supp).
	export LSAN_OPTIONS="suppressions=$srcdir/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
	echo "run-fuzzers: $fz for ${secs}s on $(ls "$work/$fz/corpus" | wc -l) seeds"
	# -timeout: one input taking seconds is a finding (a runaway loop).
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	"$build/$fz" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/$fz/artifacts/" \
		${FUZZ_ARGS:-} "$work/$fz/corpus" >"$work/$fz/log" 2>&1 &
	echo $! >"$work/$fz/pid"
done

for fz in "$@"; do
	if wait "$(cat "$work/$fz/pid")"; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$fz/log")
		cov=$(grep -o 'cov: [0-9]*' "$work/$fz/log" | tail -1)
		echo "run-fuzzers: $fz: nothing found (${execs:-?} runs, ${cov:-cov: ?})"
	else
		status=1
		echo "run-fuzzers: $fz FOUND A PROBLEM; end of its log ($work/$fz/log):" >&2
		tail -n 60 "$work/$fz/log" >&2
		echo "run-fuzzers: $fz: inputs saved:" >&2
		ls -l "$work/$fz/artifacts" >&2
	fi
done

# Every regression input, once, through the fuzzer binary itself.
for fz in "$@"; do
	dir=$srcdir/regressions/$fz
	[ -d "$dir" ] || continue
	files=$(find "$dir" -maxdepth 1 -type f ! -name '.*' | sort)
	[ -n "$files" ] || continue
	# shellcheck disable=SC2086
	if "$build/$fz" -runs=1 $files >"$work/$fz/replay.log" 2>&1; then
		echo "run-fuzzers: $fz: $(echo "$files" | wc -l) regression inputs pass"
	else
		status=1
		echo "run-fuzzers: $fz: a regression input fails again:" >&2
		tail -n 60 "$work/$fz/replay.log" >&2
	fi
done

if [ $status -eq 0 ] && [ -z "${KEEP_FUZZ_WORK:-}" ]; then
	rm -rf "$work"
else
	echo "run-fuzzers: scratch directory kept: $work"
fi
exit $status
