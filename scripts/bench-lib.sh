# Helpers the whole-process remote benchmarks share (sourced by bench-remote.sh and
# bench-https.sh; they set `runs` and read these). Not a script of its own.

now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# record I: the ~100-byte JSON record number I
record() { printf '{"i":%d,"svc":"api-%d","level":"info","msg":"request served in %d ms","ok":true}\n' "$1" "$(($1 % 17))" "$(($1 % 997))"; }

# time_runs CMD...: the median wall time of $runs runs of CMD (stdout discarded)
time_runs() {
	local ts=() t0 t1
	for ((r = 0; r < runs; r++)); do
		t0=$(now); "$@" >/dev/null; t1=$(now)
		ts+=("$(echo "$t1 - $t0" | bc)")
	done
	printf '%s\n' "${ts[@]}" | median
}

# line CASE SERVER OURS REF: one result row with the ratio reference/ours
line() {
	local ratio=-
	[ "$4" != "-" ] && ratio=$(echo "scale=2; $4 / $3" | bc)
	printf '%-30s %-10s ours %8.3fs  reference %8ss  ratio %sx\n' "$1" "$2" "$3" "$4" "$ratio"
}
