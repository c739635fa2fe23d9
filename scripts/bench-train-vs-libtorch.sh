#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs benchmarks/train_vs_libtorch.cpp (darch's CPU training against libtorch's, the two sides
# interleaved round by round in one process) in the settings that matter on a 2-core machine:
# 1 and 2 threads, each with OMP_WAIT_POLICY unset ("default") and =PASSIVE. Then prints the
# machine once (CPU model, ISA, darch's GEMM path, OpenBLAS, the environment, the FMA peak
# measured at run time) and a Markdown table: per network and setting, each side's median
# samples/s over the rounds with its spread (min-max) and fraction of the measured peak, the
# same-threads ratio of the medians (and the range of the per-round ratios), the FMA peak
# measured over the rounds (highest, which % of peak is against, and lowest), a cache
# line's round trip between CPUs 0 and 1 over the rounds (under a hypervisor: whether the two
# vCPUs shared a cache; see docs/benchmarks.md) and the load average when the setting started;
# then each side's best setting against the other's, and each side's 2-thread / 1-thread
# scaling.
#
#   scripts/bench-train-vs-libtorch.sh [build-dir] [-- executable options]   # build-dir: build/ci
#
# e.g. `scripts/bench-train-vs-libtorch.sh build/dev -- --rounds 9`. THREADS (default "1 2") and
# POLICIES (default "default PASSIVE") change the settings. Progress goes to stderr. Set
# BENCH_RAW_DIR to keep each setting's full output there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build/ci}"
[[ $# -gt 0 ]] && shift
[[ "${1:-}" == "--" ]] && shift
exe="$build/benchmarks/darch_bench_train_vs_libtorch"
if [[ ! -x "$exe" ]]; then
  echo "bench-train-vs-libtorch: no executable $exe." >&2
  echo "  It is built only where libtorch is installed: apt-get install libtorch-dev, reconfigure" >&2
  echo "  (cmake $build; if Torch is still not found, add" >&2
  echo "  -DTorch_DIR=/usr/lib/x86_64-linux-gnu/cmake/Torch), then" >&2
  echo "  cmake --build $build --target darch_bench_train_vs_libtorch" >&2
  exit 1
fi
read -r -a thread_counts <<< "${THREADS:-1 2}"
read -r -a policies <<< "${POLICIES:-default PASSIVE}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
settings=()
for threads in "${thread_counts[@]}"; do
  for policy in "${policies[@]}"; do
    name="$threads-$policy"
    echo "== threads $threads, OMP_WAIT_POLICY $policy" >&2
    if [[ "$policy" == default ]]; then
      env -u OMP_WAIT_POLICY "$exe" "$threads" "$@" > "$work/$name.out"
    else
      OMP_WAIT_POLICY="$policy" "$exe" "$threads" "$@" > "$work/$name.out"
    fi
    settings+=("$name")
    [[ -n "${BENCH_RAW_DIR:-}" ]] && mkdir -p "$BENCH_RAW_DIR" && cp "$work/$name.out" "$BENCH_RAW_DIR/"
  done
done

# The machine block of the setting with the most threads (its peak line has 1 and N threads).
most="${settings[0]}"
for s in "${settings[@]}"; do
  [[ "${s%%-*}" -gt "${most%%-*}" ]] && most="$s"
done
grep -E '^machine (cpu|isa|darch|openblas|libtorch|build):' "$work/$most.out"
# (per setting, in the table: the peak on its threads, c2c and the load)
grep -E '^machine env:' "$work/$most.out" | sed 's/$/ (OMP_WAIT_POLICY: per row below)/'
grep -E '^machine peak:' "$work/$most.out" | sed 's/$/ (per row below: the highest and lowest of the run)/'
grep -E '^# threads' "$work/$most.out" | sed -E 's/^# threads [0-9]+, /# /'
grep -E '^# MFLOP' "$work/$most.out" | sed -E 's/; % of peak against.*/; % of peak: against the highest peak measured on the row'"'"'s threads/'
echo

# One record per network and setting: net setting side median min max pct ... from each output.
for s in "${settings[@]}"; do
  awk -v s="$s" '
    /^machine load:/ { load = $3 " " $4 " " $5 }
    $2 == "darch" || $2 == "libtorch" { print "side", $1, s, $2, $3, $4, $5, $6 }
    $2 == "ratio" { print "ratio", $1, s, $3, $4, $5 }
    $2 == "c2c" { print "c2c", $1, s, $3, $4, $5 }
    $2 == "peak" { print "peak", $1, s, $3, $4 }
    END { print "load", s, load }
  ' "$work/$s.out"
done > "$work/records"

awk '
  # samples/s with thousands separators (no locale-dependent printf flag: mawk has none)
  function fmt(x,    s, out) {
    s = sprintf("%.0f", x); out = ""
    while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
    return s out
  }
  $1 == "side" {
    key = $2 SUBSEP $3 SUBSEP $4
    med[key] = $5; lo[key] = $6; hi[key] = $7; pct[key] = $8
    if (!($2 in seen)) { seen[$2] = 1; nets[++nn] = $2 }
    if (!($3 in seens)) { seens[$3] = 1; sets[++ns] = $3 }
  }
  $1 == "ratio" { r[$2 SUBSEP $3] = $4; rlo[$2 SUBSEP $3] = $5; rhi[$2 SUBSEP $3] = $6 }
  $1 == "c2c" { c2c[$2 SUBSEP $3] = sprintf("%d [%d-%d]", $4, $5, $6) }
  $1 == "peak" { peak[$2 SUBSEP $3] = sprintf("%.0f [%.0f]", $4, $5) }
  $1 == "load" { load[$2] = $3 " " $4 " " $5 }
  END {
    print "| net | threads | OMP_WAIT_POLICY | darch samples/s: median [min-max] | darch % of peak | libtorch samples/s: median [min-max] | libtorch % of peak | darch / libtorch: medians [per round] | peak GFLOP/s: highest [lowest] | c2c ns: median [min-max] | load at start |"
    print "|---|---|---|---|---|---|---|---|---|---|---|"
    for (i = 1; i <= nn; ++i) {
      n = nets[i]
      for (j = 1; j <= ns; ++j) {
        s = sets[j]; split(s, t, "-"); d = n SUBSEP s SUBSEP "darch"; l = n SUBSEP s SUBSEP "libtorch"
        if (!(d in med) || !(l in med)) continue
        cc = (n SUBSEP s) in c2c ? c2c[n SUBSEP s] : "-"
        printf "| %s | %s | %s | %s [%s-%s] | %s | %s [%s-%s] | %s | **%.2f** [%.2f-%.2f] | %s | %s | %s |\n", n, t[1], t[2],
               fmt(med[d]), fmt(lo[d]), fmt(hi[d]), pct[d], fmt(med[l]), fmt(lo[l]), fmt(hi[l]), pct[l],
               r[n SUBSEP s], rlo[n SUBSEP s], rhi[n SUBSEP s], peak[n SUBSEP s], cc, load[s]
      }
    }
    print ""
    for (i = 1; i <= nn; ++i) {
      n = nets[i]; bd = 0; bl = 0
      for (j = 1; j <= ns; ++j) {
        s = sets[j]
        if (med[n SUBSEP s SUBSEP "darch"] > bd) { bd = med[n SUBSEP s SUBSEP "darch"]; sd = s }
        if (med[n SUBSEP s SUBSEP "libtorch"] > bl) { bl = med[n SUBSEP s SUBSEP "libtorch"]; sl = s }
      }
      if (bd > 0 && bl > 0)
        printf "%s best against best: darch %s (%s) / libtorch %s (%s) = **%.2fx**\n", n, fmt(bd), sd, fmt(bl), sl, bd / bl
    }
    for (i = 1; i <= nn; ++i) {
      n = nets[i]
      for (j = 1; j <= ns; ++j) {
        s = sets[j]; split(s, t, "-")
        if (t[1] != 1) continue
        for (k = 1; k <= ns; ++k) {
          u = sets[k]; split(u, v, "-")
          if (v[1] == 1 || v[2] != t[2]) continue
          if (med[n SUBSEP s SUBSEP "darch"] == 0 || med[n SUBSEP s SUBSEP "libtorch"] == 0) continue
          printf "%s %s threads / 1 thread, OMP_WAIT_POLICY %s: darch %.2fx, libtorch %.2fx (medians)\n", n, v[1], t[2],
                 med[n SUBSEP u SUBSEP "darch"] / med[n SUBSEP s SUBSEP "darch"],
                 med[n SUBSEP u SUBSEP "libtorch"] / med[n SUBSEP s SUBSEP "libtorch"]
        }
      }
    }
  }
' "$work/records"
