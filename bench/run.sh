#!/bin/sh
# Benchmark teardown-audit against the same workloads run natively, under
# gdb and under strace -f, and print a table with the targets it is held
# to.  Run by "make bench" (never by the test suite); see bench/README.md.
#
#   run.sh PATH/TO/teardown-audit
#
# Environment:
#   BENCH_RUNS          runs per figure, the median is shown (default 5)
#   BENCH_GDB_TIMEOUT   seconds a gdb run may take before gdb is dropped
#                       from that workload (default 60)
#   BENCH_CPU_ITERS     rounds of the CPU loop (default 500000000, ~0.7 s)
#   BENCH_PYTHON        the python for the scipy import (default
#                       /usr/bin/python3, the one Debian's python3-scipy
#                       installs for, even when another python3 comes first
#                       in PATH)
#   CC, CFLAGS          compiler for the workloads (default: cc, -O2)
#
# First runs bench/setup.sh, which installs python3-scipy, strace and gdb
# when they are missing and it can (root, or sudo without a password);
# what is still missing afterwards gets n/a, with the reason, in the table.
#
# The table goes to stdout and to bench-results.txt in the current
# directory; progress goes to stderr.  Exits 1 if the workloads cannot be
# built or ptrace is not permitted; a target that is not met is reported,
# not an error.
set -u

TOOL=${1:-}
if [ -z "$TOOL" ] || [ ! -x "$TOOL" ]; then
	echo "usage: $0 PATH/TO/teardown-audit" >&2
	exit 2
fi
case $TOOL in /*) ;; *) TOOL=$PWD/$TOOL ;; esac

RUNS=${BENCH_RUNS:-5}
GDB_TIMEOUT=${BENCH_GDB_TIMEOUT:-60}
CPU_ITERS=${BENCH_CPU_ITERS:-500000000}
CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2}
case $RUNS in ''|*[!0-9]*|0) echo "bench: BENCH_RUNS must be a positive number" >&2; exit 2 ;; esac

CYCLES=2000		# a: dlopen/dlclose cycles
THREADS=2000		# c: threads created and joined ...
THREAD_BATCH=4		# ... this many at a time
CHILDREN=50		# d: children forked and exec'd
HEAP_MIB=256		# e: resident heap
RT_STOPS=20000		# ptrace round trips per probe
MAP_SIZES="10 2000 20000"	# m: extra mappings made before the loop ...
MAP_CYCLES=1000		# ... and the dlopen/dlclose cycles after them
PIN_MAPS=10		# p: the same pinned to one CPU, with this many ...
PIN_CYCLES=2000		# ... and this many cycles
PYTHON=${BENCH_PYTHON:-/usr/bin/python3}	# s: the scipy import
SCIPY_IMPORT='import scipy.stats, scipy.signal, scipy.optimize, scipy.sparse.linalg, scipy.io, scipy.spatial'
LIMIT=600		# a run of anything but gdb that takes longer is broken

srcdir=$(cd "$(dirname "$0")" && pwd)
results=$PWD/bench-results.txt
work=$(mktemp -d "${TMPDIR:-/tmp}/teardown-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' 0
trap 'exit 130' INT TERM HUP
# gdb must not go looking for debug info on the network.
unset DEBUGINFOD_URLS

say() { echo "bench: $*" >&2; }

# Other work on the machine shows in every figure: say how busy it was.
load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo "?"; }
LOAD_START=$(load)
case $LOAD_START in
0.[0-4]*) ;;
*) say "the load average is $LOAD_START: other work on this machine will show in the figures" ;;
esac

# ---- what the benchmark needs beyond the build's own set-up ----

say "checking the benchmark's packages (bench/setup.sh)"
SETUP_WHY=
if ! sh "$srcdir/setup.sh" 2>"$work/setup.err"; then
	SETUP_WHY=$(tail -n 1 "$work/setup.err" | sed 's/^bench\/setup.sh: //')
	[ -n "$SETUP_WHY" ] || SETUP_WHY="bench/setup.sh failed"
fi
sed 's/^/    /' "$work/setup.err" >&2

# ---- build the workloads ----

say "building the workloads with $CC $CFLAGS in $work"
build() {	# OUTPUT SOURCE [FLAGS...]
	out=$1 src=$2
	shift 2
	# shellcheck disable=SC2086
	$CC $CFLAGS "$@" -o "$work/$out" "$srcdir/$src" || {
		say "cannot build $out from $src"
		exit 1
	}
}
build timer timer.c
build libbenchplugin.so plugin.c -fPIC -shared
build dlloop dlloop.c
build cpuloop cpuloop.c
build threads threads.c -pthread
build tree tree.c
build bigheap bigheap.c
build vmread vmread.c
build ptrace_rt ptrace_rt.c
PLUGIN=$work/libbenchplugin.so

have() { command -v "$1" >/dev/null 2>&1; }
GDB=no STRACE=no
have gdb && GDB=yes
have strace && STRACE=yes
[ "$GDB" = yes ] || say "gdb is not installed: its column says n/a${SETUP_WHY:+ ($SETUP_WHY)}"
[ "$STRACE" = yes ] || say "strace is not installed: its column says n/a${SETUP_WHY:+ ($SETUP_WHY)}"

# p runs the tool, the command and the probe on CPU 0 alone.
PIN=no PIN_WHY=
if ! have taskset; then
	PIN_WHY="taskset is not installed (util-linux)"
elif ! taskset -c 0 true 2>/dev/null; then
	PIN_WHY="taskset -c 0 fails: CPU 0 is not ours to run on"
else
	PIN=yes
fi
[ "$PIN" = yes ] || say "p: n/a: $PIN_WHY"

# s needs scipy in $PYTHON; the check doubles as a warm-up of the page
# cache, so that the first timed run is not the only one reading from disk.
SCIPY=no SCIPY_WHY=
if [ ! -x "$PYTHON" ]; then
	SCIPY_WHY="$PYTHON not found${SETUP_WHY:+; $SETUP_WHY}"
elif err=$("$PYTHON" -c "$SCIPY_IMPORT" 2>&1 >/dev/null); then
	SCIPY=yes
else
	SCIPY_WHY="scipy does not import in $PYTHON: $(echo "$err" | tail -n 1)${SETUP_WHY:+; $SETUP_WHY}"
fi
[ "$SCIPY" = yes ] || say "s: n/a: $SCIPY_WHY"

# ---- measuring ----

# measure KEY TIMEOUT COMMAND...: one timed run; its seconds are appended
# to t.KEY, a failure (exit status, signal, timeout) to fail.KEY.
measure() {
	key=$1 limit=$2
	shift 2
	res=$("$work/timer" -t "$limit" -e "$work/stderr.$key" -- "$@") || res="0 error 0"
	# shellcheck disable=SC2086
	set -- $res
	if [ "$2" = 0 ]; then
		echo "$1" >>"$work/t.$key"
	else
		echo "$2" >>"$work/fail.$key"
		say "$key: status $2; its stderr:"
		sed 's/^/    /' "$work/stderr.$key" | tail -n 5 >&2
	fi
}

# run_as TRACER KEY COMMAND...: COMMAND natively or under a tracer.
run_as() {
	tracer=$1 key=$2.$1
	shift 2
	case $tracer in
	native)
		measure "$key" "$LIMIT" "$@" ;;
	ta)
		measure "$key" "$LIMIT" "$TOOL" -q -- "$@" ;;
	gdb)
		[ "$GDB" = yes ] || return 0
		# One run over the limit and gdb sits the workload out.
		[ -f "$work/fail.$key" ] && return 0
		measure "$key" "$GDB_TIMEOUT" gdb -nx -batch -ex run --args "$@" ;;
	strace)
		[ "$STRACE" = yes ] || return 0
		measure "$key" "$LIMIT" strace -f -o /dev/null "$@" ;;
	esac
}

# run_pinned TRACER KEY COMMAND...: as run_as, for native and the tool
# only, with everything on CPU 0 (the tool's command inherits the mask).
run_pinned() {
	tracer=$1 key=$2.$1
	shift 2
	case $tracer in
	native)
		measure "$key" "$LIMIT" taskset -c 0 "$@" ;;
	ta)
		measure "$key" "$LIMIT" taskset -c 0 "$TOOL" -q -- "$@" ;;
	esac
}

# stats_run NAME COMMAND...: the tool's --stats run of COMMAND, its report
# in stats.NAME.  Not timed; a failure is said, and its figures show "?".
stats_run() {
	name=$1
	shift
	"$TOOL" --stats -q -o "$work/stats.$name" -- "$@" >/dev/null 2>"$work/stderr.stats.$name" || {
		say "$name: the --stats run failed (status $?); its stderr:"
		sed 's/^/    /' "$work/stderr.stats.$name" | tail -n 5 >&2
	}
}

median() {	# FILE of numbers: their median, nothing if none
	[ -s "$1" ] || return 0
	sort -g "$1" | awk '{ v[NR] = $1 }
		END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The median seconds of KEY, or nothing when it failed or never ran.
secs() {
	[ -f "$work/fail.$1" ] && return 0
	median "$work/t.$1"
}

# What to print for KEY: seconds, or why there are none.
show() {
	s=$(secs "$1")
	if [ -n "$s" ]; then
		awk -v s="$s" 'BEGIN { printf "%.3f", s }'
	elif [ -f "$work/fail.$1" ]; then
		case $(head -n 1 "$work/fail.$1") in
		timeout) echo "n/a(>${GDB_TIMEOUT}s)" ;;
		*) echo "failed($(head -n 1 "$work/fail.$1"))" ;;
		esac
	else
		case $1 in
		*.gdb) [ "$GDB" = yes ] && echo "-" || echo "n/a" ;;
		*.strace) [ "$STRACE" = yes ] && echo "-" || echo "n/a" ;;
		*) echo "-" ;;
		esac
	fi
}

calc() {	# awk expression over the named values: calc 'a / b' a=1 b=2
	expr=$1 vars=
	shift
	for kv in "$@"; do
		vars="$vars -v $kv"
	done
	# shellcheck disable=SC2086
	awk $vars "BEGIN { print ($expr) }" </dev/null
}

ratio() {	# A B: A/B as "12.34x", or "-"
	if [ -n "$1" ] && [ -n "$2" ] && [ "$(calc 'b > 0' b="$2")" = 1 ]; then
		calc 'sprintf("%.2fx", a / b)' a="$1" b="$2"
	else
		echo "-"
	fi
}

stat_field() {	# FILE FIELD: a number from a --stats line ("stops", "peak RSS")
	sed -n "s/.*stats: .*$2 \\([0-9][0-9]*\\).*/\\1/p" "$1" 2>/dev/null | tail -n 1
}

# ---- probes ----

say "probe: ptrace stop round trip ($RT_STOPS stops) and process_vm_readv rate ($HEAP_MIB MiB), $RUNS runs"
r=1
while [ "$r" -le "$RUNS" ]; do
	out=$("$work/ptrace_rt" "$RT_STOPS") || {
		say "ptrace_rt failed: is ptrace permitted here (kernel.yama.ptrace_scope, CAP_SYS_PTRACE)?"
		exit 1
	}
	echo "$out" | sed -n 's/.* bare \([0-9.]*\) us.*/\1/p' >>"$work/rt.bare"
	echo "$out" | sed -n 's/.*regs \([0-9.]*\) us.*/\1/p' >>"$work/rt.regs"
	echo "$out" | sed -n 's/.*one CPU \([0-9.]*\) us.*/\1/p' >>"$work/rt.one"
	out=$("$work/vmread" "$HEAP_MIB") || { say "vmread failed"; exit 1; }
	echo "$out" | sed -n 's/.*: \([0-9.]*\) GiB\/s.*/\1/p' >>"$work/vm.rate"
	echo "$out" | sed -n 's/^vmread: \([0-9.]*\) MiB in \([0-9.]*\) ms.*/\1 \2/p' >>"$work/vm.detail"
	r=$((r + 1))
done
RT=$(median "$work/rt.bare")
RT_REGS=$(median "$work/rt.regs")
RT_ONE=$(median "$work/rt.one")
VM_RATE=$(median "$work/vm.rate")

# ---- workloads, tracers interleaved run by run ----

TRACERS="native ta gdb strace"

r=1
while [ "$r" -le "$RUNS" ]; do
	say "a: dlopen/dlclose loop, run $r/$RUNS"
	for t in $TRACERS; do
		run_as "$t" a "$work/dlloop" "$CYCLES" "$PLUGIN"
		run_as "$t" a0 "$work/dlloop" 0 "$PLUGIN"
	done
	r=$((r + 1))
done
"$TOOL" --stats -q -o "$work/stats.a" -- "$work/dlloop" "$CYCLES" "$PLUGIN" >/dev/null
"$TOOL" --stats -q -o "$work/stats.a0" -- "$work/dlloop" 0 "$PLUGIN" >/dev/null

r=1
while [ "$r" -le "$RUNS" ]; do
	say "b: CPU loop, run $r/$RUNS"
	for t in $TRACERS; do
		run_as "$t" b "$work/cpuloop" "$CPU_ITERS"
	done
	r=$((r + 1))
done
"$TOOL" --stats -q -o "$work/stats.b" -- "$work/cpuloop" "$CPU_ITERS" >/dev/null

r=1
while [ "$r" -le "$RUNS" ]; do
	say "c: thread churn, run $r/$RUNS"
	for t in $TRACERS; do
		run_as "$t" c "$work/threads" "$THREADS" "$THREAD_BATCH"
	done
	r=$((r + 1))
done
"$TOOL" --stats -q -o "$work/stats.c" -- "$work/threads" "$THREADS" "$THREAD_BATCH" >/dev/null

r=1
while [ "$r" -le "$RUNS" ]; do
	say "d: process tree, run $r/$RUNS"
	for t in $TRACERS; do
		run_as "$t" d "$work/tree" "$CHILDREN" /bin/true
	done
	r=$((r + 1))
done
"$TOOL" --stats -q -o "$work/stats.d" -- "$work/tree" "$CHILDREN" /bin/true >/dev/null

# e: the tool's scan figure comes from --stats runs of their own, so that
# the timed runs are the plain -q ones like everywhere else.
r=1
while [ "$r" -le "$RUNS" ]; do
	say "e: $HEAP_MIB MiB heap, run $r/$RUNS"
	run_as native e "$work/bigheap" "$HEAP_MIB" "$PLUGIN"
	run_as ta e "$work/bigheap" "$HEAP_MIB" "$PLUGIN"
	"$TOOL" --stats -q -o "$work/stats.e" -- "$work/bigheap" "$HEAP_MIB" "$PLUGIN" >/dev/null
	sed -n 's/.*scan: \([0-9.]*\) MiB in \([0-9.]*\) ms.*/\1 \2/p' "$work/stats.e" | tail -n 1 |
		awk '$2 > 0 { printf "%.4f\n", $1 / 1024 / ($2 / 1000) }' >>"$work/scan.rate"
	r=$((r + 1))
done

# m: the dlopen/dlclose loop in processes of three sizes, and p: the
# smallest pinned to CPU 0 with the probe, so that every stop is the
# same-CPU kind; all of them in the same rounds.
r=1
while [ "$r" -le "$RUNS" ]; do
	if [ "$PIN" = yes ]; then
		say "m: dlopen/dlclose loop after $MAP_SIZES extra mappings, p: pinned to CPU 0, run $r/$RUNS"
	else
		say "m: dlopen/dlclose loop after $MAP_SIZES extra mappings, run $r/$RUNS"
	fi
	for m in $MAP_SIZES; do
		for t in $TRACERS; do
			run_as "$t" "m$m" "$work/dlloop" "$MAP_CYCLES" "$PLUGIN" "$m"
			run_as "$t" "m${m}z" "$work/dlloop" 0 "$PLUGIN" "$m"
		done
	done
	if [ "$PIN" = yes ]; then
		for t in native ta; do
			run_pinned "$t" p "$work/dlloop" "$PIN_CYCLES" "$PLUGIN" "$PIN_MAPS"
			run_pinned "$t" p0 "$work/dlloop" 0 "$PLUGIN" "$PIN_MAPS"
		done
		if out=$(taskset -c 0 "$work/ptrace_rt" "$RT_STOPS"); then
			echo "$out" | sed -n 's/.* bare \([0-9.]*\) us.*/\1/p' >>"$work/rt.pin"
		else
			say "p: the ptrace_rt probe failed on CPU 0"
		fi
	fi
	r=$((r + 1))
done
for m in $MAP_SIZES; do
	stats_run "m$m" "$work/dlloop" "$MAP_CYCLES" "$PLUGIN" "$m"
	stats_run "m${m}z" "$work/dlloop" 0 "$PLUGIN" "$m"
done
RT_PIN=$(median "$work/rt.pin")

if [ "$SCIPY" = yes ]; then
	r=1
	while [ "$r" -le "$RUNS" ]; do
		say "s: scipy import, run $r/$RUNS"
		for t in $TRACERS; do
			run_as "$t" s "$PYTHON" -c "$SCIPY_IMPORT"
		done
		r=$((r + 1))
	done
	stats_run s "$PYTHON" -c "$SCIPY_IMPORT"
fi

# ---- report ----

verdict() { [ "$1" = 1 ] && echo "met" || echo "NOT met"; }

report() {
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
	echo "teardown-audit benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: ${cpu:-unknown CPU}, $(nproc) CPUs, Linux $(uname -r) $(uname -m)"
	echo "tool:    $("$TOOL" --version) ($TOOL)"
	if [ "$GDB" = yes ]; then gdbv=$(gdb --version | head -n 1); else gdbv="gdb: not installed"; fi
	if [ "$STRACE" = yes ]; then stracev=$(strace -V | head -n 1); else stracev="strace: not installed"; fi
	echo "others:  $gdbv; $stracev"
	echo "method:  wall time, median of $RUNS runs (BENCH_RUNS), tracers alternated run by run"
	echo "load:    $LOAD_START at start, $LOAD_END at end (1-minute load average)"
	echo

	printf 'ptrace stop round trip: %.2f us (int3, wait, PTRACE_CONT); %.2f us with GETSIGINFO+GETREGS+SETREGS;\n' \
		"$RT" "$RT_REGS"
	printf '                        %.2f us with tracer and tracee bound to one CPU (not the unit below)\n' \
		"${RT_ONE:--1}"
	echo

	printf '%-38s %7s %18s %18s %18s\n' "workload (seconds)" native "teardown-audit -q" "gdb -batch" "strace -f"
	row() {	# KEY LABEL
		n=$(secs "$1.native")
		line=$(printf '%-38s %7s' "$2" "$(show "$1.native")")
		for t in ta gdb strace; do
			s=$(secs "$1.$t")
			if [ -n "$s" ]; then
				cell="$(show "$1.$t") $(ratio "$s" "$n")"
			else
				cell=$(show "$1.$t")
			fi
			line=$(printf '%s %18s' "$line" "$cell")
		done
		echo "$line"
	}
	row a "a  dlopen/dlclose loop x$CYCLES"
	row a0 "a0 the same, 0 cycles (start, exit)"
	row b "b  CPU loop, $CPU_ITERS rounds"
	row c "c  $THREADS threads, $THREAD_BATCH at a time"
	row d "d  $CHILDREN children (fork, exec /bin/true)"
	row e "e  $HEAP_MIB MiB heap, one dlclose"
	for m in $MAP_SIZES; do
		row "m$m" "m  $m extra mappings, $MAP_CYCLES cycles"
		row "m${m}z" "m0 the same, 0 cycles"
	done
	if [ "$PIN" = yes ]; then
		row p "p  on CPU 0: $PIN_MAPS mappings, $PIN_CYCLES cycles"
		row p0 "p0 the same, 0 cycles"
	else
		printf '%-38s n/a (%s)\n' "p  on CPU 0" "$PIN_WHY"
	fi
	if [ "$SCIPY" = yes ]; then
		row s "s  scipy import ($PYTHON)"
	else
		printf '%-38s n/a (%s)\n' "s  scipy import" "$SCIPY_WHY"
	fi
	echo "   (each tracer cell: seconds, then the ratio to native)"
	echo

	# a, per cycle: differences with the 0-cycle runs take start-up out.
	an=$(secs a.native) an0=$(secs a0.native)
	at=$(secs a.ta)
	s_a=$(stat_field "$work/stats.a" stops) s_a0=$(stat_field "$work/stats.a0" stops)
	per_native=$(calc '(a - b) / c * 1e6' a="$an" b="$an0" c="$CYCLES")
	added() {	# TRACER: added microseconds per cycle, or nothing
		x=$(secs "a.$1") x0=$(secs "a0.$1")
		[ -n "$x" ] && [ -n "$x0" ] &&
			calc '((x - x0) - (n - n0)) / c * 1e6' x="$x" x0="$x0" n="$an" n0="$an0" c="$CYCLES"
	}
	added_ta=$(added ta)
	added_gdb=$(added gdb)
	added_strace=$(added strace)
	stops_cycle=$(calc '(a - b) / c' a="${s_a:-0}" b="${s_a0:-0}" c="$CYCLES")
	printf 'a per cycle: native %.1f us; teardown-audit adds %.1f us = %.1f round trips, %.2f stops per cycle\n' \
		"$per_native" "${added_ta:-0}" "$(calc 'a / b' a="${added_ta:-0}" b="$RT")" "$stops_cycle"
	printf '             (gdb adds %s, strace -f adds %s per cycle)\n' \
		"$(if [ -n "$added_gdb" ]; then calc 'sprintf("%.1f us", a)' a="$added_gdb"; else echo n/a; fi)" \
		"$(if [ -n "$added_strace" ]; then calc 'sprintf("%.1f us", a)' a="$added_strace"; else echo n/a; fi)"
	scan_a=$(sed -n 's/.*scan: \([0-9.]*\) MiB in \([0-9.]*\) ms.*/\1 \2/p' "$work/stats.a" | tail -n 1)
	if [ -n "$scan_a" ]; then
		# shellcheck disable=SC2086
		set -- $scan_a
		printf '             (teardown-audit scans at each dlclose: %s MiB in %s ms in all, %.1f us per cycle)\n' \
			"$1" "$2" "$(calc 't / c * 1e3' t="$2" c="$CYCLES")"
	fi
	printf 'stops (--stats): a %s (0 cycles: %s), b %s, c %s, d %s\n' "${s_a:-?}" "${s_a0:-?}" \
		"$(stat_field "$work/stats.b" stops)" "$(stat_field "$work/stats.c" stops)" \
		"$(stat_field "$work/stats.d" stops)"
	printf 'peak RSS of teardown-audit (--stats): a %s KiB, c %s KiB, d %s KiB\n' \
		"$(stat_field "$work/stats.a" 'peak RSS')" "$(stat_field "$work/stats.c" 'peak RSS')" \
		"$(stat_field "$work/stats.d" 'peak RSS')"
	vm_detail=$(awk 'NR == 1 { printf "%s MiB in %s ms", $1, $2 }' "$work/vm.detail")
	scan=$(median "$work/scan.rate")
	if [ -n "$scan" ]; then
		scan_text=$(calc 'sprintf("%.2f GiB/s (%.0f%% of raw)", s, 100 * s / v)' s="$scan" v="$VM_RATE")
	else
		scan_text="n/a (scan not implemented)"
	fi
	printf 'e scan rate: raw process_vm_readv + compare %.2f GiB/s (%s); teardown-audit %s\n' \
		"$VM_RATE" "$vm_detail" "$scan_text"
	echo

	# m and p, per cycle, as for a: the 0-cycle runs take start-up and the
	# making of the mappings out.
	per_cycle() {	# KEY KEY0 CYCLES: (T(KEY) - T(KEY0)) / CYCLES in us, or nothing
		x=$(secs "$1") x0=$(secs "$2")
		[ -n "$x" ] && [ -n "$x0" ] && calc '(x - x0) / c * 1e6' x="$x" x0="$x0" c="$3"
	}
	us() {	# MICROSECONDS: "12.3", or "n/a"
		if [ -n "$1" ]; then calc 'sprintf("%.1f", a)' a="$1"; else echo "n/a"; fi
	}
	pc_m() {	# M TRACER: microseconds per cycle under TRACER with M extra mappings
		per_cycle "m$1.$2" "m${1}z.$2" "$MAP_CYCLES"
	}
	add_m() {	# M TRACER: what TRACER adds to a cycle with M extra mappings
		y=$(pc_m "$1" "$2") y0=$(pc_m "$1" native)
		[ -n "$y" ] && [ -n "$y0" ] && calc 'y - y0' y="$y" y0="$y0"
	}
	by_ta_m() {	# M TRACER: a cycle's time under TRACER over the tool's, as "1.23x"
		ratio "$(pc_m "$1" "$2")" "$(pc_m "$1" ta)"
	}
	echo "m per cycle: microseconds per dlopen/dlclose cycle, (T($MAP_CYCLES cycles) - T(0)) / $MAP_CYCLES"
	printf '   %-14s %8s %10s %10s %12s %9s %12s %11s\n' "extra mappings" native "tool adds" "gdb adds" \
		"strace adds" "gdb/tool" "strace/tool" "tool stops"
	for m in $MAP_SIZES; do
		st1=$(stat_field "$work/stats.m$m" stops) st0=$(stat_field "$work/stats.m${m}z" stops)
		if [ -n "$st1" ] && [ -n "$st0" ]; then
			stops=$(calc 'sprintf("%.2f", (a - b) / c)' a="$st1" b="$st0" c="$MAP_CYCLES")
		else
			stops="?"
		fi
		printf '   %-14s %8s %10s %10s %12s %9s %12s %11s\n' "$m" "$(us "$(pc_m "$m" native)")" \
			"$(us "$(add_m "$m" ta)")" "$(us "$(add_m "$m" gdb)")" "$(us "$(add_m "$m" strace)")" \
			"$(by_ta_m "$m" gdb)" "$(by_ta_m "$m" strace)" "$stops"
	done
	echo "   (native: a cycle's own time; adds: what each tracer adds to it; gdb/tool, strace/tool:"
	echo "   the time of a cycle under gdb or strace over that under the tool; stops from --stats)"
	m_lo=${MAP_SIZES%% *} m_hi=${MAP_SIZES##* }
	ta_lo=$(add_m "$m_lo" ta) ta_hi=$(add_m "$m_hi" ta)
	printf 'm the tool at %s extra mappings against %s: adds %s (%s us against %s us per cycle)\n' \
		"$m_hi" "$m_lo" "$(ratio "$ta_hi" "$ta_lo")" "$(us "$ta_hi")" "$(us "$ta_lo")"
	rss_m=
	for m in $MAP_SIZES; do
		rss_m="$rss_m, $m: $(stat_field "$work/stats.m$m" 'peak RSS') KiB"
	done
	echo "m peak RSS of teardown-audit (--stats):${rss_m#,}"
	if [ "$PIN" = yes ]; then
		pin_n=$(per_cycle p.native p0.native "$PIN_CYCLES")
		pin_t=$(per_cycle p.ta p0.ta "$PIN_CYCLES")
		pin_added=
		[ -n "$pin_n" ] && [ -n "$pin_t" ] && pin_added=$(calc 'a - b' a="$pin_t" b="$pin_n")
		printf 'p on CPU 0 (taskset -c 0: the tool, its command and the probe), %s extra mappings:\n' "$PIN_MAPS"
		if [ -n "$pin_added" ] && [ -n "$RT_PIN" ]; then
			printf '  native %.1f us per cycle; teardown-audit adds %.1f us = %.1f round trips of %.2f us (ptrace_rt bare, on CPU 0)\n' \
				"$pin_n" "$pin_added" "$(calc 'a / b' a="$pin_added" b="$RT_PIN")" "$RT_PIN"
		else
			echo "  n/a: the runs or the probe failed (see the table and the progress messages)"
		fi
	else
		echo "p on CPU 0: n/a ($PIN_WHY)"
	fi
	if [ "$SCIPY" = yes ]; then
		sst=$work/stats.s
		printf 's scipy import: teardown-audit peak RSS %s KiB (--stats); %s library events, %s dlopen calls, %s stops\n' \
			"$(stat_field "$sst" 'peak RSS')" "$(stat_field "$sst" 'library events')" \
			"$(stat_field "$sst" 'dlopen calls')" "$(stat_field "$sst" stops)"
	else
		echo "s scipy import: n/a ($SCIPY_WHY)"
	fi
	echo

	printf '%-46s %-36s %s\n' "target" "measured" "verdict"
	tgt() { printf '%-46s %-36s %s\n' "$1" "$2" "$3"; }
	if [ -n "$added_ta" ]; then
		tgt "a  added time per cycle <= 8 round trips" \
			"$(calc 'sprintf("%.1f round trips (%.0f us)", a / b, a)' a="$added_ta" b="$RT")" \
			"$(verdict "$(calc 'a <= 8 * b' a="$added_ta" b="$RT")")"
	else
		tgt "a  added time per cycle <= 8 round trips" "n/a (tool failed)" "NOT met"
	fi
	st=$(secs a.strace)
	if [ -n "$st" ] && [ -n "$at" ]; then
		tgt "a  >= 2.5x faster than strace -f" "$(ratio "$st" "$at") (strace time / tool time)" \
			"$(verdict "$(calc 's >= 2.5 * t' s="$st" t="$at")")"
	else
		tgt "a  >= 2.5x faster than strace -f" "n/a" "n/a"
	fi
	gt=$(secs a.gdb)
	if [ -n "$gt" ] && [ -n "$at" ]; then
		tgt "a  >= 10x faster than gdb" "$(ratio "$gt" "$at") (gdb time / tool time)" \
			"$(verdict "$(calc 'g >= 10 * t' g="$gt" t="$at")")"
	else
		tgt "a  >= 10x faster than gdb" "n/a" "n/a"
	fi
	bt=$(secs b.ta) bn=$(secs b.native)
	tgt "b  <= 1.02x native" "$(ratio "$bt" "$bn")" \
		"$(if [ -n "$bt" ]; then verdict "$(calc 't <= 1.02 * n' t="$bt" n="$bn")"; else echo "NOT met"; fi)"
	ct=$(secs c.ta) cs=$(secs c.strace)
	if [ -n "$cs" ] && [ -n "$ct" ]; then
		tgt "c  no slower than strace -f" "$(ratio "$ct" "$cs") of strace's time" \
			"$(verdict "$(calc 't <= s' t="$ct" s="$cs")")"
	else
		tgt "c  no slower than strace -f" "n/a" "n/a"
	fi
	dt=$(secs d.ta) dn=$(secs d.native)
	tgt "d  <= 1.5x native" "$(ratio "$dt" "$dn")" \
		"$(if [ -n "$dt" ]; then verdict "$(calc 't <= 1.5 * n' t="$dt" n="$dn")"; else echo "NOT met"; fi)"
	if [ -n "$scan" ]; then
		tgt "e  scan >= 60% of raw process_vm_readv rate" \
			"$(calc 'sprintf("%.0f%% (%.2f of %.2f GiB/s)", 100 * s / v, s, v)' s="$scan" v="$VM_RATE")" \
			"$(verdict "$(calc 's >= 0.6 * v' s="$scan" v="$VM_RATE")")"
	else
		tgt "e  scan >= 60% of raw process_vm_readv rate" "n/a (scan not implemented)" "n/a"
	fi
	if [ -n "$ta_hi" ] && [ -n "$ta_lo" ]; then
		tgt "m  tool adds at $m_hi mappings <= 1.5x at $m_lo" \
			"$(ratio "$ta_hi" "$ta_lo") ($(us "$ta_hi") against $(us "$ta_lo") us)" \
			"$(verdict "$(calc 'h <= 1.5 * l' h="$ta_hi" l="$ta_lo")")"
	else
		tgt "m  tool adds at $m_hi mappings <= 1.5x at $m_lo" "n/a (runs failed)" "NOT met"
	fi
	faster() {	# M TRACER LABEL FACTOR: TRACER's cycle takes FACTOR times the tool's, or more
		y=$(pc_m "$1" "$2") y0=$(pc_m "$1" ta)
		if [ "$4" = 1 ]; then what="$1 mappings: faster than $3"; else what="$1 mappings: >= ${4}x faster than $3"; fi
		if [ -n "$y" ] && [ -n "$y0" ]; then
			tgt "m  $what" "$(ratio "$y" "$y0") ($3 cycle / tool cycle)" \
				"$(verdict "$(calc 'y > f * y0' y="$y" y0="$y0" f="$4")")"
		elif [ -z "$y0" ]; then
			tgt "m  $what" "n/a (tool failed)" "NOT met"
		else
			tgt "m  $what" "n/a ($3: $(show "m$1.$2"))" "n/a"
		fi
	}
	faster "$m_lo" strace "strace -f" 2.5
	for m in $MAP_SIZES; do
		faster "$m" strace "strace -f" 1
		faster "$m" gdb gdb 1
	done
	if [ "$PIN" != yes ]; then
		tgt "p  on CPU 0, adds <= 10 round trips" "n/a ($PIN_WHY)" "n/a"
	elif [ -n "$pin_added" ] && [ -n "$RT_PIN" ]; then
		tgt "p  on CPU 0, adds <= 10 round trips" \
			"$(calc 'sprintf("%.1f round trips (%.0f us)", a / b, a)' a="$pin_added" b="$RT_PIN")" \
			"$(verdict "$(calc 'a <= 10 * b' a="$pin_added" b="$RT_PIN")")"
	else
		tgt "p  on CPU 0, adds <= 10 round trips" "n/a (runs failed)" "NOT met"
	fi
	sn=$(secs s.native) stt=$(secs s.ta)
	rss_s=$(stat_field "$work/stats.s" 'peak RSS')
	if [ "$SCIPY" != yes ]; then
		tgt "s  scipy import <= 1.25x native" "n/a (see the s row)" "n/a"
		tgt "s  tool peak RSS <= 16 MiB" "n/a (see the s row)" "n/a"
	else
		tgt "s  scipy import <= 1.25x native" "$(ratio "$stt" "$sn")" \
			"$(if [ -n "$stt" ]; then verdict "$(calc 't <= 1.25 * n' t="$stt" n="$sn")"; else echo "NOT met"; fi)"
		if [ -n "$rss_s" ]; then
			tgt "s  tool peak RSS <= 16 MiB" "$(calc 'sprintf("%.1f MiB (%d KiB)", k / 1024, k)' k="$rss_s")" \
				"$(verdict "$(calc 'k <= 16 * 1024' k="$rss_s")")"
		else
			tgt "s  tool peak RSS <= 16 MiB" "n/a (the --stats run failed)" "NOT met"
		fi
	fi
}

LOAD_END=$(load)
report >"$work/report"
cat "$work/report"
cp "$work/report" "$results"
say "results written to $results"
