# Shared by the integration tests: sourced by each *.test, run from its own
# empty directory by run-test.sh.  Environment from tests/Makefile.am:
# TA (the tool), REPRO (built reproducers), WAITSTATUS, abs_srcdir.

set -u
COMPILERS="gcc clang"

# A tool left running in the background ($tool) is killed, and with it
# what it traces (PTRACE_O_EXITKILL).
fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	[ -z "${tool:-}" ] || kill -KILL "$tool" 2>/dev/null
	exit 1
}

# skip MISSING: exit 77 (SKIP), saying what this machine lacks for the
# test to run.  Only for what a test cannot provide itself (ptrace, root):
# a missing program is a failure (need_program), since setup.sh installs
# them all.  CI (.ci/run) fails on a skip unless the test is on its
# allow-list.
skip() {
	echo "SKIP: $TEST_NAME: missing: $*" >&2
	exit 77
}

# need_program PROGRAM PACKAGE: PROGRAM must be installed.
need_program() {
	command -v "$1" >/dev/null 2>&1 ||
		fail "$1 is not installed (Debian package $2; ./setup.sh installs it)"
}

# The tool needs ptrace to run a command: without it no test that traces
# can run.  A test that never traces sets needs_ptrace=no before sourcing
# this file, and runs anyway.
if [ "${needs_ptrace:-yes}" = yes ] && ! "$TA" -q -- true 2>ptrace-check.err; then
	if grep -q 'ptrace is not permitted' ptrace-check.err; then
		skip "ptrace: $(head -1 ptrace-check.err)"
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

# reject FILE PATTERN WHAT: no line may match; FILE must exist.
reject() {
	[ -f "$1" ] || fail "$3: no file $1"
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
# ("teardown-audit: pid N (COMM), parent P: ...", matched by the extended
# regex PATTERN) to the next line the tool starts with "teardown-audit:"
# (another timeline, a finding, a message).  PATTERN goes through the
# environment: awk -v would take its backslashes for escape sequences.
process_section() {
	pat=$2 awk '
		/^teardown-audit: / { inside = 0 }
		/^teardown-audit: pid [0-9]+ \(.*\), parent [0-9]+: / { inside = ($0 ~ ENVIRON["pat"]) }
		inside { print }
	' "$1"
}

# diagnose NAME CMD...: run CMD natively and under the tool (audit);
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
	head=$2 awk '
		index($0, ENVIRON["head"]) { inside = 1; next }
		inside && /^ +#[0-9]/ { print; next }
		inside && /^            +[^ #]/ { next }	# a call inlined at the frame below
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

copy_reproducers() {
	cp "$REPRO/clang/host_c" "$REPRO/clang/libplugin_ops.so" \
		"$REPRO/clang/host_cxx" "$REPRO/clang/libplugin_cxx.so" "$1/" ||
		fail "cannot copy the reproducers into $1"
}

# check_fs_diagnosis DIR: copy the C and C++ reproducers (clang builds)
# into DIR unless they are there, run them from there under the tool, and check the whole
# diagnosis: verdict, symbols, build-id, the dlclose stack, host frames.
# As root the files are opened through /proc/PID/map_files; when setpriv
# is there, once more as nobody, who can only open them by their paths.
check_fs_diagnosis() {
	d=$1
	[ -e "$d/host_c" ] || copy_reproducers "$d"
	chmod 755 "$d"
	bid=$(LC_ALL=C readelf -n "$d/libplugin_ops.so" | sed -n 's/.*Build ID: //p')
	diagnose fs-c "$d/host_c" fnptr "$d/libplugin_ops.so"
	check_fs_c fs-c.report
	diagnose fs-cxx "$d/host_cxx" "$d/libplugin_cxx.so"
	rep=fs-cxx.report
	expect $rep "address +0x[0-9a-f]+ was in $d/libplugin_cxx.so \(r--p, build-id [0-9a-f]{40}\)" "$rep: the unloaded file"
	expect $rep "symbol +vtable for std::_Sp_counted_ptr_inplace<.*\+0x[0-9a-f]+$" "$rep: the vtable"
	expect $rep "= slot [0-9]+: std::_Sp_counted_ptr_inplace<.*>::_M_destroy\(\)" "$rep: the slot"
	expect_frame $rep "unloaded by dlclose" "#1 +unload_plugin\(void\*\)\+0x[0-9a-f]+ +host_cxx" "$rep: dlclose caller"
	expect_frame $rep "crashed" "destroy_registry\(\)\+0x[0-9a-f]+ +host_cxx" "$rep: host frame"
	command -v setpriv >/dev/null 2>&1 || return 0
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TA" -q -- "$d/host_c" fnptr "$d/libplugin_ops.so" >fs-c-nobody.stdout 2>fs-c-nobody.report
	check_fs_c fs-c-nobody.report
}

check_fs_c() {
	rep=$1
	expect $rep "use after dlclose: a call into code of libplugin_ops.so after it was unloaded" "$rep: verdict"
	expect $rep "address +0x[0-9a-f]+ was in $d/libplugin_ops.so \(r-xp, build-id $bid\)" "$rep: the unloaded file and its build-id"
	expect $rep "symbol +ops_run$" "$rep: the function"
	expect_frame $rep "unloaded by dlclose" "#0 +dlclose +libc.so.6" "$rep: dlclose frame"
	expect_frame $rep "unloaded by dlclose" "#1 +unload_plugin\+0x[0-9a-f]+ +host_c" "$rep: dlclose caller"
	expect_frame $rep "crashed" "#0 +ops_run +libplugin_ops.so \(unloaded\)" "$rep: the frame in unloaded code"
	expect_frame $rep "crashed" "#1 +call_kept_fnptr\+0x[0-9a-f]+ +host_c" "$rep: the host frame"
}

# Signals to a tool running in the background are sent only when the
# target shows it got the previous one: the targets below write the name
# of each signal they get to the file "got".  Once their traps are set
# they print "started PID SLEEP_PID" (the shell's pid and its child's).
#
# SIGNAL_TARGET: gets SIGINT, SIGTERM or SIGHUP, writes its name, and dies
# of it (with its sleep, so that nothing traced is left).
SIGNAL_TARGET='for s in INT TERM HUP; do trap "kill \$pid; echo $s >>got; trap - $s; kill -$s \$\$" $s; done; sleep 300 & pid=$!; echo started $$ $pid; wait $pid'
# STUBBORN_TARGET: writes the name of each SIGTERM it gets, and goes on.
STUBBORN_TARGET='trap "echo TERM >>got" TERM; sleep 300 & pid=$!; echo started $$ $pid; while :; do wait $pid; done'

# wait_for FILE PATTERN WHAT: wait (10 s at most) until a line of FILE
# matches the extended regex PATTERN.
wait_for() {
	i=0
	until grep -E -q -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 200 ] || fail "$3: no line matches /$2/ in $1 after 10 s"
		sleep 0.05
	done
}

# wait_end PID WHAT: wait (20 s at most) for the background job PID to end;
# its exit status is left in $st.  Killed, and a failure, if it does not.
wait_end() {
	i=0
	while ps -o stat= -p "$1" | grep -q '^[^Z]'; do
		i=$((i + 1))
		if [ $i -gt 400 ]; then
			kill -KILL "$1"
			fail "$2: pid $1 did not end within 20 s"
		fi
		sleep 0.05
	done
	wait "$1"
	st=$?
	[ "$1" != "${tool:-}" ] || tool=
}

# gone WHAT PID...: each process PID ends (or is a zombie) within 5 s.
gone() {
	what=$1
	shift
	i=0
	while [ $# -gt 0 ]; do
		if ps -o stat= -p "$1" | grep -q '^[^Z]'; then
			i=$((i + 1))
			[ $i -le 100 ] || fail "$what: pid $1 is still there: $(ps -o pid=,stat=,args= -p "$1")"
			sleep 0.05
			continue
		fi
		shift
	done
}

# wait_until WHAT CMD...: poll CMD (for at most 20 s) until it succeeds.
wait_until() {
	what=$1
	shift
	i=0
	until "$@"; do
		i=$((i + 1))
		[ $i -lt 400 ] || fail "timed out waiting for $what"
		sleep 0.05
	done
}

# start_target MODE ARGS...: start reproducer attach_target (of $cc) in
# the background, in MODE, with its handshake files ready and go; waits
# until it is ready and sets target to its pid.
start_target() {
	rm -f ready go
	"$REPRO/$cc/attach_target" "$1" ready go "$REPRO/$cc/libplugin_ops.so" "${2-}" \
		>target.out 2>&1 &
	target=$!
	wait_until "attach_target $1 to be ready" test -s ready
}

# attach_tool NAME ARGS...: run the tool in the background with ARGS (not
# -q), its stderr in NAME.err, and wait until it says it attached; sets
# tool to its pid (signals sent there reach the tool itself; `wait $tool`
# gives how it ended).
attach_tool() {
	name=$1
	shift
	"$TA" "$@" 2>"$name.err" &
	tool=$!
	wait_until "the tool to attach (see $name.err)" grep -qs "attached to pid" "$name.err"
}

# proc_field PID FIELD: a field of /proc/PID/status ("State", "TracerPid").
proc_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null
}

# ended PID: the process is gone or a zombie (for wait_until).
ended() {
	case $(proc_field "$1" State) in
	'' | Z*) return 0 ;;
	esac
	return 1
}

# field_is PID FIELD VALUE: for wait_until.
field_is() {
	[ "$(proc_field "$1" "$2")" = "$3" ]
}

# kill_leftovers: for trap EXIT in a test that attaches: a tool or target
# left running by a failure is killed (known by its command line: the pid
# may have been reused).
kill_leftovers() {
	for pid in ${tool-} ${target-}; do
		case $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") in
		*teardown-audit*|*attach_target*|*tree3*) kill -9 "$pid" 2>/dev/null ;;
		esac
	done
}
