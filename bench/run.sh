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
#   CC, CFLAGS          compiler for the workloads (default: cc, -O2)
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
}

LOAD_END=$(load)
report >"$work/report"
cat "$work/report"
cp "$work/report" "$results"
say "results written to $results"
