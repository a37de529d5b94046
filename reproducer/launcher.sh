#!/bin/sh
# launcher: run a program as a child and end as it ended, like `ros2 run`.
#
#   launcher PROGRAM [ARGS...]
#
# `ros2 run` does not exec the node: a Python process spawns it and waits
# for it, so a tracer given the launcher must follow a fork and an exec to
# reach the code under study.  The launcher exits with the child's exit
# status; if the child was killed by a signal, the launcher kills itself
# with the same signal (core dumps off), so whoever waits for it gets the
# same wait status as for the child.  SIGINT and SIGTERM are passed on.
#
# A shell cannot tell "killed by signal N" from "exit 128+N": an exit
# status above 128 is taken for the signal.

if [ $# -eq 0 ]; then
	echo "usage: launcher PROGRAM [ARGS...]" >&2
	exit 2
fi

child=
interrupted=
forward() {
	interrupted=1
	[ -n "$child" ] && kill -s "$1" "$child" 2>/dev/null
}
trap 'forward INT' INT
trap 'forward TERM' TERM

# Without job control a shell starts a background command with stdin from
# /dev/null and SIGINT/SIGQUIT ignored, which a shell child could not
# undo.  Hand stdin over explicitly, and let env (coreutils 8.31 or later)
# restore the default signal actions before it execs the program.
exec 9<&0
env --default-signal=INT,QUIT -- "$@" <&9 9<&- &
child=$!
exec 9<&-

# A trapped signal makes wait return early with a status above 128: wait
# again while the child is still there.  dash reports a child killed by a
# signal on stderr ("Segmentation fault"); the caller's shell does that
# for the launcher already, so keep the target's stderr as it would be.
while :; do
	interrupted=
	wait "$child" 2>/dev/null
	st=$?
	[ -n "$interrupted" ] && kill -0 "$child" 2>/dev/null || break
done

if [ "$st" -gt 128 ]; then
	sig=$((st - 128))
	trap - INT TERM
	ulimit -c 0 2>/dev/null
	kill -"$sig" "$$" 2>/dev/null
	# Still here: the signal is ignored or harmless to us.
fi
exit "$st"
