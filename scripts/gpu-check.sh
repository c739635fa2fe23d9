#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The one prepared check of the CUDA backend on a GPU machine (docs/cuda.md).
#
#   scripts/gpu-check.sh --prepare     HERE, on the build host (nvcc, Debian's packages; no GPU):
#       configures build/gpu from the cuda-release preset (Release, sm_90 SASS + compute_90 PTX,
#       CUDA required, cuDNN off, OpenBLAS linked statically), builds darch_tests_cuda and
#       darch_bench_cuda_gemm, and stages them with the shared libraries they need that are not
#       part of a base system into build/gpu-carry/ (about 32 MB). Carry that one folder.
#
#   scripts/gpu-check.sh               ON THE GPU MACHINE, from the repository root, with
#       build/gpu-carry carried: prints the GPU and driver, runs every device test, runs them
#       again under compute-sanitizer memcheck, times the 4096^3 GEMM (TF32 and BF16) against
#       torch.matmul, and prints one table. About 2-4 minutes; every step has a timeout and the
#       whole stays under 8 minutes. Exit status: 0 when every test passed, memcheck reported no
#       error (or could not run on this device: reported, not counted) and the benchmark's
#       sampled results were within their bounds; 1 otherwise.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
carry="${DARCH_GPU_CARRY:-$root/build/gpu-carry}"

if [[ "${1:-}" == "--prepare" ]]; then
  set -e
  cd "$root"
  build="$root/build/gpu"
  cmake --preset cuda-release -B "$build" -DDARCH_ENABLE_CUDNN=OFF -DBLA_STATIC=ON \
        -DDARCH_BUILD_BENCHMARKS=ON -DDARCH_BUILD_EXAMPLES=OFF -DDARCH_INSTALL=OFF >/dev/null
  cmake --build "$build" -j2 --target darch_tests_cuda darch_bench_cuda_gemm
  rm -rf "$carry"
  mkdir -p "$carry/lib"
  cp "$build/tests/darch_tests_cuda" "$build/benchmarks/darch_bench_cuda_gemm" "$carry/"
  # Shared libraries outside the C/C++ runtime that every Linux image has.
  for bin in "$carry/darch_tests_cuda" "$carry/darch_bench_cuda_gemm"; do
    ldd "$bin" | awk '/=> \// {print $3}' | while read -r lib; do
      case "$(basename "$lib")" in
        libc.so*|libm.so*|libstdc++.so*|libgcc_s.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*) ;;
        *) cp -L -n "$lib" "$carry/lib/" ;;
      esac
    done
  done
  strip "$carry/darch_tests_cuda" "$carry/darch_bench_cuda_gemm"
  du -sh "$carry"
  ls -l "$carry" "$carry/lib"
  echo "carry: build/gpu-carry   then run: scripts/gpu-check.sh"
  exit 0
fi

# ---- on the GPU machine ------------------------------------------------------------------------
for f in darch_tests_cuda darch_bench_cuda_gemm; do
  if [[ ! -x "$carry/$f" ]]; then
    echo "gpu-check: $carry/$f is missing: run 'scripts/gpu-check.sh --prepare' on the build host" \
         "and carry build/gpu-carry" >&2
    exit 1
  fi
done
export LD_LIBRARY_PATH="$carry/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The CPU references run on the statically linked OpenBLAS 0.3.21, whose core detection is not
# trusted on recent CPUs (shared/toolchain.md): pin the kernels, as the build hosts do.
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
failed=()
step() { printf '\n==== %s ====\n' "$*"; }

step "device"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,compute_cap --format=csv \
  || echo "nvidia-smi failed"
echo "nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo 'not on PATH')"

step "device tests (darch_tests_cuda)"
timeout 240 "$carry/darch_tests_cuda" --durations no
rc=$?
echo "darch_tests_cuda exit status: $rc"
[[ $rc -eq 0 ]] || failed+=("tests (exit $rc)")

step "compute-sanitizer memcheck"
sanitizer="$(command -v compute-sanitizer || true)"
for c in /usr/local/cuda/bin/compute-sanitizer /usr/local/cuda/compute-sanitizer/compute-sanitizer \
         /opt/nvidia/compute-sanitizer/compute-sanitizer; do
  [[ -z "$sanitizer" && -x "$c" ]] && sanitizer="$c"
done
if [[ -z "$sanitizer" ]]; then
  sanitizer="$(find / -xdev -name compute-sanitizer -type f -perm -u+x 2>/dev/null | head -1)"
fi
memcheck="not run"
if [[ -z "$sanitizer" ]]; then
  memcheck="unavailable (compute-sanitizer not found)"
else
  echo "using $sanitizer"
  log="$(mktemp)"
  # The GEMM and dense cases exercise every kernel and edge; the rest are quick as well.
  timeout 300 "$sanitizer" --tool memcheck --error-exitcode 99 --leak-check no \
    "$carry/darch_tests_cuda" 2>&1 | tee "$log" | tail -25
  rc=${PIPESTATUS[0]}
  if grep -q "Device not supported\|Target application terminated before first instrumented API call" "$log"; then
    memcheck="unavailable on this device/runtime (see above)"
  elif [[ $rc -eq 124 ]]; then
    memcheck="timed out after 300 s"
    failed+=("memcheck (timeout)")
  elif [[ $rc -eq 0 ]]; then
    memcheck="no errors"
  else
    memcheck="FAILED (exit $rc; $(grep -o 'ERROR SUMMARY: [0-9]* error' "$log" | tail -1))"
    failed+=("memcheck")
  fi
  rm -f "$log"
fi
echo "memcheck: $memcheck"

step "GEMM 4096^3: darch (C = A W^T, FP32 in/out) vs torch.matmul"
bench="$(mktemp)"
timeout 120 "$carry/darch_bench_cuda_gemm" 4096 4096 4096 20 | tee "$bench"
rc=$?
[[ $rc -eq 0 ]] || failed+=("darch GEMM benchmark (exit $rc)")
timeout 120 python3 - <<'PY' 2>&1 | tee -a "$bench"
import torch
torch.backends.cuda.matmul.allow_tf32 = True
torch.backends.cudnn.allow_tf32 = True
m = n = k = 4096
def bench(a, w, iters=20):
    for _ in range(3):
        torch.matmul(a, w.t())
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iters):
        torch.matmul(a, w.t())
    stop.record()
    stop.synchronize()
    return start.elapsed_time(stop) / iters
g = torch.Generator(device="cuda").manual_seed(42)
a = torch.rand(m, k, device="cuda", generator=g) * 2 - 1
w = torch.rand(n, k, device="cuda", generator=g) * 2 - 1
for name, (x, y) in (("tf32", (a, w)), ("bf16", (a.bfloat16(), w.bfloat16()))):
    ms = bench(x, y)
    print(f"gemm torch {name} {m} {n} {k} {ms:.4f} {2*m*n*k/ms/1e9:.1f} -")
print(f"torch {torch.__version__}, cuBLAS via torch.matmul; bf16 inputs already bf16")
PY
step "summary"
printf '%-6s | %12s | %14s | %12s | %14s | %11s\n' precision "darch ms" "darch TFLOP/s" "torch ms" "torch TFLOP/s" "darch/torch"
for p in tf32 bf16; do
  d=$(awk -v p="$p" '$1=="gemm" && $2=="darch" && $3==p {print $7, $8}' "$bench")
  t=$(awk -v p="$p" '$1=="gemm" && $2=="torch" && $3==p {print $7, $8}' "$bench")
  read -r dms dtf <<<"${d:-- -}"
  read -r tms ttf <<<"${t:-- -}"
  ratio=$(awk -v a="$dtf" -v b="$ttf" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a/b; else print "-" }')
  printf '%-9s | %12s | %14s | %12s | %14s | %11s\n' "$p" "$dms" "$dtf" "$tms" "$ttf" "$ratio"
done
echo "(darch BF16 includes converting the FP32 inputs to BF16 on every call; torch's inputs are BF16 already)"
echo "memcheck: $memcheck"
rm -f "$bench"
if ((${#failed[@]})); then
  echo "gpu-check: FAILED: ${failed[*]}"
  exit 1
fi
echo "gpu-check: all passed"
