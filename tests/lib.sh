# Shared by the integration tests: sourced by each *.test, run from its own
# empty directory by run-test.sh.  Environment from tests/Makefile.am:
# TA (the tool), REPRO (built reproducers), WAITSTATUS, abs_srcdir.

set -u
COMPILERS="gcc clang"

fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $TEST_NAME: $*" >&2
	exit 77
}

# The tool needs ptrace: without it nothing here can run.
if ! "$TA" -q -- true 2>ptrace-check.err; then
	if grep -q 'ptrace is not permitted' ptrace-check.err; then
		skip "ptrace is not permitted on this machine"
	fi
fi

# ws CMD...: the raw wait status of CMD; its stdout and stderr are left
# in ws.stdout and ws.stderr.
ws() {
	rm -f ws.status
	"$WAITSTATUS" -o ws.status "$@" >ws.stdout 2>ws.stderr
	cat ws.status
}

# audit OUT CMD...: run CMD under the tool, report in OUT, the command's
# stdout and stderr in OUT.stdout and OUT.stderr; prints the wait status
# of the tool itself.
audit() {
	out=$1
	shift
	rm -f "$out.status"
	"$WAITSTATUS" -o "$out.status" "$TA" -o "$out" -- "$@" >"$out.stdout" 2>"$out.stderr"
	cat "$out.status"
}

# expect FILE PATTERN WHAT: an extended regex must match a line of FILE.
expect() {
	grep -E -q -- "$2" "$1" || {
		echo "--- $1:" >&2
		cat "$1" >&2
		fail "$3: no line matches /$2/ in $1"
	}
}

# reject FILE PATTERN WHAT: no line may match.
reject() {
	if grep -E -q -- "$2" "$1"; then
		echo "--- $1:" >&2
		cat "$1" >&2
		fail "$3: a line matches /$2/ in $1"
	fi
}

# same_status WHAT EXPECTED ACTUAL
same_status() {
	[ "$2" = "$3" ] || fail "$1: wait status $3 under the tool, $2 without it"
}

# The timeline section of one process in a report: from its header line
# (matched by PATTERN) to the next header.
process_section() {
	awk -v pat="$2" '
		/^teardown-audit: pid [0-9]+ \(/ { inside = ($0 ~ pat) }
		inside { print }
	' "$1"
}

# diagnose NAME CMD...: run CMD natively and under the tool with --quiet;
# the wait statuses must agree; the report is left in NAME.report.
diagnose() {
	name=$1
	shift
	native=$(ws "$@")
	st=$(audit "$name.report" "$@")
	same_status "$name" "$native" "$st"
}

# The stack printed under a heading ("unloaded by", "crashed") of a report.
stack_after() {
	awk -v head="$2" '
		index($0, head) { inside = 1; next }
		inside && /^ +#[0-9]/ { print; next }
		inside { exit }
	' "$1"
}

# expect_frame FILE HEADING PATTERN WHAT: a frame of that stack matches.
expect_frame() {
	stack_after "$1" "$2" >"$1.frames"
	grep -E -q -- "$3" "$1.frames" || {
		echo "--- $1:" >&2
		cat "$1" >&2
		fail "$4: no frame under '$2' matches /$3/"
	}
}
