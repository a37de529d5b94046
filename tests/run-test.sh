#!/bin/sh
# Runs one integration test in its own directory under a time limit, so that
# a hung tracee cannot hang `make check`.
test=$1
name=$(basename "$test" .test)
dir="$abs_builddir/work/$name"
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 99
TEST_NAME=$name
export TEST_NAME
exec timeout -k 10 "${TEST_TIMEOUT:-300}" sh "$abs_srcdir/$name.test"
