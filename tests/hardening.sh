#!/bin/sh
# Usage: tests/hardening.sh [SRCDIR]
#
# The hardening checks, each in its own build under a scratch directory,
# all run even when one fails:
#
#  fuzz        clang build with --enable-fuzzers; each libFuzzer harness
#              for $FUZZ_SECONDS (default 60) seconds, then every regression
#              input (tests/fuzz/run-fuzzers.sh)
#  sanitizers  gcc build with --enable-sanitizers (ASan, UBSan, LSan):
#              `make check`, every test passed (a skip only if the test is
#              in $TA_ALLOWED_SKIPS, see tests/test-results.sh), and no
#              sanitizer report in any test output
#  valgrind    memcheck on the tool of the fuzz build (not sanitized, DWARF 4
#              for valgrind 3.19) over three reproducer runs, the clang
#              host_cxx that crashes, the gcc host_cxx that does not, and
#              fork_step: no invalid access, no definite leak
#
# SRCDIR defaults to this script's parent.  It must have been bootstrapped
# (./bootstrap); if it is also configured in place, a copy of its files
# is bootstrapped and built instead, since automake refuses to build out of
# a configured tree.  The scratch directory ($HARDENING_WORKDIR, or a new
# one under $TMPDIR) is removed when everything passed.  Exits 0 when
# everything passed, 1 otherwise, with a line for each failure at the end.
set -u

srcdir=$(cd "${1:-$(dirname "$0")/..}" && pwd) || exit 1
work=${HARDENING_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/ta-hardening.XXXXXX")} || exit 1
# The file-system tests run a reproducer as nobody from under the build.
chmod 755 "$work"
mkdir -p "$work" && work=$(cd "$work" && pwd) || exit 1
jobs=${HARDENING_JOBS:-2}
failed=""
start=$(date +%s)

note() {
	echo "hardening: [$(($(date +%s) - start))s] $*"
}

failure() {
	echo "hardening: FAILED: $*" >&2
	failed="$failed
  $*"
}

# The tail of a log, to see why a step failed without digging.
show() {
	echo "----- $1 (last ${2:-40} lines)" >&2
	tail -n "${2:-40}" "$1" >&2
}

# ---- the sources ----

if [ ! -x "$srcdir/configure" ]; then
	echo "hardening: $srcdir/configure not found: run ./bootstrap there first" >&2
	exit 1
fi
if [ -f "$srcdir/config.status" ]; then
	note "$srcdir is configured in place; building from a copy of its files"
	src=$work/src
	mkdir -p "$src"
	# Tracked and new files as they are in the work tree (a file deleted
	# there but still in the index is left out).
	if ! (cd "$srcdir" && git rev-parse --git-dir >/dev/null 2>&1 &&
		git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ ! -e "$f" ] || cp --parents -t "$0" "$f" || exit 1; done' "$src"); then
		echo "hardening: cannot copy the sources of $srcdir (not a git checkout?)" >&2
		exit 1
	fi
	if ! (cd "$src" && autoreconf -fi) >"$work/autoreconf.log" 2>&1; then
		show "$work/autoreconf.log"
		echo "hardening: autoreconf failed in the copy $src" >&2
		exit 1
	fi
else
	src=$srcdir
fi

# configure_build DIR ARGS...: configure and build in DIR, logs there.
configure_build() {
	dir=$1
	shift
	mkdir -p "$dir"
	if ! (cd "$dir" && "$src/configure" "$@") >"$dir/configure.log" 2>&1; then
		show "$dir/configure.log"
		return 1
	fi
	if ! make -C "$dir" -j"$jobs" >"$dir/make.log" 2>&1; then
		show "$dir/make.log"
		return 1
	fi
}

# ---- fuzz ----

fuzz=$work/fuzz
note "fuzz: building with clang and --enable-fuzzers in $fuzz"
if configure_build "$fuzz" CC=clang CFLAGS="-g -gdwarf-4 -O1" --enable-fuzzers; then
	# The test fixtures are seeds too.
	make -C "$fuzz/tests" fixtures >"$fuzz/fixtures.log" 2>&1 ||
		show "$fuzz/fixtures.log"
	note "fuzz: running each fuzzer for ${FUZZ_SECONDS:-60}s"
	if ! (cd "$fuzz/tests/fuzz" && FIXTURE_DIR="$fuzz/tests" \
		sh "$src/tests/fuzz/run-fuzzers.sh" "${FUZZ_SECONDS:-60}"); then
		failure "fuzz: a fuzzer found a problem, or a regression input fails (see above)"
	fi
else
	failure "fuzz: the clang --enable-fuzzers build failed ($fuzz)"
fi

# ---- sanitizers ----

san=$work/sanitizers
note "sanitizers: building with --enable-sanitizers in $san"
if configure_build "$san" --enable-sanitizers; then
	note "sanitizers: make check"
	# Sanitizer reports of the tool are in its stderr, which the
	# integration tests keep under tests/work/; a report ends the tool with
	# an error status, which the tests see, and is also looked for here.
	if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		make -C "$san" -j"$jobs" check >"$san/check.log" 2>&1; then
		grep -E '^(FAIL|ERROR|XPASS):' "$san/check.log" >&2
		for trs in $(grep -lE '^:test-result: (FAIL|ERROR|XPASS)' \
				"$san"/tests/*.trs "$san"/tests/fuzz/*.trs 2>/dev/null); do
			show "${trs%.trs}.log" 60
		done
		failure "sanitizers: make check failed ($san/check.log)"
	fi
	reports=$(grep -rlE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer' \
		"$san/tests" 2>/dev/null)
	if [ -n "$reports" ]; then
		for r in $reports; do
			show "$r" 60
		done
		failure "sanitizers: sanitizer reports in: $(echo "$reports" | tr '\n' ' ')"
	fi
	# Every test passed, or skipped with leave ($TA_ALLOWED_SKIPS, which
	# .ci/run sets): a build where ptrace or a program is missing skips
	# the integration tests, and the unit tests alone would pass.
	if ! sh "$src/tests/test-results.sh" "$san/tests" "$san/tests/fuzz" >"$san/results.txt"; then
		cat "$san/results.txt" >&2
		failure "sanitizers: not every test passed ($san/results.txt)"
	fi
else
	failure "sanitizers: the --enable-sanitizers build failed ($san)"
fi

# ---- valgrind ----

# memcheck NAME WANT_STATUS REPORT_PATTERN TOOL_OPTION CMD...: the tool of
# the fuzz build under memcheck; its report must match REPORT_PATTERN (so
# that it did its work under valgrind), it must end as WANT_STATUS says, and
# memcheck must have found no error (invalid accesses, uninitialized
# values, and, with --errors-for-leak-kinds=definite, definite leaks).
memcheck() {
	name=$1 want=$2 pattern=$3 opt=$4
	shift 4
	dir=$work/valgrind
	log=$dir/$name.vg
	note "valgrind: $name"
	valgrind --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite \
		--error-exitcode=99 --child-silent-after-fork=yes --trace-children=no \
		--log-file="$log" \
		"$fuzz/src/teardown-audit" "$opt" -o "$dir/$name.report" -- "$@" \
		>"$dir/$name.stdout" 2>"$dir/$name.stderr"
	st=$?
	# A tool that ends by a signal ends valgrind by it too, before the
	# error exit code could say anything: the summary is what counts.
	if ! grep -q 'ERROR SUMMARY: 0 errors' "$log"; then
		show "$log" 80
		failure "valgrind: $name: memcheck found errors ($log)"
	fi
	if [ "$st" != "$want" ]; then
		show "$dir/$name.stderr"
		failure "valgrind: $name: exit status $st, expected $want"
	fi
	if ! grep -Eq -- "$pattern" "$dir/$name.report"; then
		show "$dir/$name.report"
		failure "valgrind: $name: no line of the report matches /$pattern/"
	fi
}

if ! command -v valgrind >/dev/null 2>&1; then
	failure "valgrind: not installed (apt-get install valgrind)"
elif [ ! -x "$fuzz/src/teardown-audit" ]; then
	failure "valgrind: no tool to run: the fuzz build failed"
else
	mkdir -p "$work/valgrind"
	r=$fuzz/reproducer
	# 139: SIGSEGV, raised again by the tool as the crashing host did.
	# The diagnosis only (-q) for the crash; the whole timeline for gcc.
	memcheck clang-host_cxx 139 "use after dlclose: an object created by plugin libplugin_cxx.so" \
		-q "$r/clang/host_cxx" "$r/clang/libplugin_cxx.so"
	memcheck gcc-host_cxx 0 "dlclose .*libplugin_cxx.so" \
		--stats "$r/gcc/host_cxx" "$r/gcc/libplugin_cxx.so"
	# Slowed down by memcheck, the tool sees a fork's event long after
	# the fork: breakpoints taken out in between must not stay in the
	# children (they died of SIGTRAP, and fork_step exits 6).
	memcheck gcc-fork_step 0 "kept .*libplugin_small.so" \
		--stats "$r/gcc/fork_step" "$r/gcc/libplugin_small.so"
fi

# ---- summary ----

if [ -n "$failed" ]; then
	note "done; FAILED:$failed"
	note "builds and logs kept in $work"
	exit 1
fi
note "done; fuzz, sanitizers and valgrind all passed"
[ -n "${HARDENING_WORKDIR:-}" ] || rm -rf "$work"
exit 0
