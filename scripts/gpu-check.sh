#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The one prepared check of the CUDA backend on a GPU machine (docs/cuda.md).
#
#   scripts/gpu-check.sh --prepare     HERE, on the build host (nvcc, cuDNN, Debian's packages;
#       no GPU): configures build/gpu from the cuda-release preset (Release, sm_90 SASS +
#       compute_90 PTX, CUDA and cuDNN required, OpenBLAS linked statically), builds the device
#       tests, the GPU benchmarks and the flagship search, and stages into build/gpu-carry/:
#         darch-gpu.tar.xz   the binaries and the shared libraries they need that a base system
#                            lacks, except cuDNN (the GPU machine's PyTorch ships it)
#         fashion-mnist/     the four IDX files (for the end-to-end search throughput)
#         networks.json      the benchmark's networks, for the PyTorch peer
#       About 40 MB. Carry that one folder.
#
#   scripts/gpu-check.sh               ON THE GPU MACHINE, from the repository root, with
#       build/gpu-carry carried: prints the GPU, driver and cuDNN; runs every device test; times
#       the training steps against PyTorch eager and the 4096^3 GEMM against torch.matmul; runs
#       the device tests under compute-sanitizer memcheck beside the plain run; runs a one-minute search on
#       Fashion-MNIST with --backend cuda (architectures trained per minute); prints one table.
#       Every step has a timeout; the whole stays under 9 minutes.
#
#   scripts/gpu-check.sh --quick       ON THE GPU MACHINE, for a rerun after a fix: the device,
#       the device tests (or only those matching a Catch2 test spec: --quick "[conv2d]") and the
#       training-step table; no GEMM or search, and memcheck (of the same tests) only with
#       DARCH_GPU_MEMCHECK=1, the GEMM table only with DARCH_GPU_GEMM=1 (DARCH_GPU_TEST_TIMEOUT:
#       seconds for the tests, 200 by default). About 1-2 minutes. The full output is also
#       written to $OUT/gpu-check.log when $OUT is set. Exit status: 0 when every test passed,
#       memcheck reported no error (or could not run: reported, not counted) and every benchmark
#       ran and checked its own results; 1 otherwise.
set -u -o pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
carry="${DARCH_GPU_CARRY:-$root/build/gpu-carry}"
binaries=(darch_tests_cuda darch_bench_cuda_gemm darch_bench_cuda_train_step
          darch_example_search_fashion_mnist darch_tune)

if [[ "${1:-}" == "--prepare" ]]; then
  set -e
  cd "$root"
  build="$root/build/gpu"
  cmake --preset cuda-release -B "$build" -DDARCH_ENABLE_CUDNN=ON -DBLA_STATIC=ON \
        -DDARCH_BUILD_TESTS=ON -DDARCH_BUILD_BENCHMARKS=ON -DDARCH_BUILD_EXAMPLES=ON \
        -DDARCH_INSTALL=OFF >/dev/null
  grep -q '^#define DARCH_HAS_CUDNN 1' "$build/include/darch/config.hpp" ||
    { echo "gpu-check: cuDNN was not found for build/gpu; the GPU check needs it" >&2; exit 1; }
  cmake --build "$build" -j2 --target "${binaries[@]}"
  stage="$(mktemp -d)"
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage/lib"
  cp "$build/tests/darch_tests_cuda" "$build/benchmarks/darch_bench_cuda_gemm" \
     "$build/benchmarks/darch_bench_cuda_train_step" \
     "$build/examples/darch_example_search_fashion_mnist" "$stage/"
  cp "$build/darch-tune" "$stage/darch_tune"
  # Shared libraries outside the C/C++ runtime that every Linux image has; cuDNN is found on
  # the GPU machine (PyTorch's copy), never carried (it is ~1 GB).
  for bin in "${binaries[@]}"; do
    ldd "$stage/$bin" | awk '/=> \// {print $3}' | while read -r lib; do
      case "$(basename "$lib")" in
        libc.so*|libm.so*|libstdc++.so*|libgcc_s.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*) ;;
        libcudnn*|libcuda.so*) ;;
        *) cp -L -n "$lib" "$stage/lib/" ;;
      esac
    done
    strip "$stage/$bin"
  done
  rm -rf "$carry"
  mkdir -p "$carry/fashion-mnist"
  tar -C "$stage" -cJf "$carry/darch-gpu.tar.xz" .
  cp /usr/share/datasets/fashion-mnist/*-ubyte.gz "$carry/fashion-mnist/"
  "$build/benchmarks/darch_bench_cuda_train_step" --describe "$carry/networks.json"
  du -sh "$carry"
  ls -l "$carry" "$stage" "$stage/lib"
  echo "carry: build/gpu-carry   then run: scripts/gpu-check.sh"
  exit 0
fi

# ---- on the GPU machine ------------------------------------------------------------------------
quick=0
test_spec=()
if [[ "${1:-}" == "--quick" ]]; then
  quick=1
  [[ -n "${2:-}" ]] && test_spec=("$2")
elif [[ -n "${1:-}" ]]; then
  echo "usage: scripts/gpu-check.sh [--prepare | --quick [test spec]]" >&2
  exit 2
fi
if [[ -n "${OUT:-}" && -d "${OUT:-}" ]]; then
  exec > >(tee "$OUT/gpu-check.log") 2>&1
fi
start_seconds=$SECONDS
for f in darch-gpu.tar.xz networks.json fashion-mnist/train-images-idx3-ubyte.gz; do
  if [[ ! -e "$carry/$f" ]]; then
    echo "gpu-check: $carry/$f is missing: run 'scripts/gpu-check.sh --prepare' on the build host" \
         "and carry build/gpu-carry" >&2
    exit 1
  fi
done
bin="$(mktemp -d)"
work="$(mktemp -d)"
trap 'rm -rf "$bin" "$work"' EXIT
tar -C "$bin" -xJf "$carry/darch-gpu.tar.xz"

# cuDNN 9 from PyTorch's installation (its nvidia-cudnn wheel), with the libraries cuDNN itself
# opens at run time (NVRTC for its runtime-compiled engines, cuBLASLt): the folders of the first
# copies found in Python's site-packages, then the CUDA toolkit's lib64.
dnn_libs="$(python3 - <<'PY' 2>/dev/null
import os, site
roots = site.getsitepackages() + [site.getusersitepackages()]
try:
    import torch
    roots.insert(0, os.path.join(os.path.dirname(torch.__file__), "lib"))
except Exception:
    pass
# One walk of each root, looking for all three (site-packages is large: torch, JAX, ...).
names = ("libcudnn.so.9", "libnvrtc.so.13", "libcublasLt.so.13")
where = {}
for r in roots:
    for folder, dirs, files in os.walk(r):
        dirs.sort()  # the same copy on every run where several exist
        for name in names:
            if name not in where and any(f.startswith(name) for f in files):
                where[name] = folder
        if len(where) == len(names):
            break
    if len(where) == len(names):
        break
found = []
for name in names:
    if name in where and where[name] not in found:
        found.append(where[name])
print(":".join(found))
PY
)"
cudnn_dir="$(for d in ${dnn_libs//:/ }; do ls "$d"/libcudnn.so.9* >/dev/null 2>&1 && echo "$d" && break; done)"
if [[ -z "$cudnn_dir" ]]; then
  cudnn_dir="$(dirname "$(find / -xdev -name 'libcudnn.so.9*' 2>/dev/null | head -1)" 2>/dev/null)"
  dnn_libs="$cudnn_dir${dnn_libs:+:$dnn_libs}"
fi
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [[ -d "$d" ]] && dnn_libs="${dnn_libs:+$dnn_libs:}$d"
done
export LD_LIBRARY_PATH="$bin/lib${dnn_libs:+:$dnn_libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The CPU references run on the statically linked OpenBLAS 0.3.21, whose core detection is not
# trusted on recent CPUs (shared/toolchain.md): pin the kernels, as the build hosts do.
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-Haswell}"
failed=()
step() { printf '\n==== %s (t = %d s) ====\n' "$*" $((SECONDS - start_seconds)); }

step "device"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,compute_cap --format=csv \
  || echo "nvidia-smi failed"
echo "nvcc: $(nvcc --version 2>/dev/null | tail -1 || echo 'not on PATH')"
echo "cuDNN from: ${cudnn_dir:-NOT FOUND (conv2d, pooling and batch norm tests will fail)}"
echo "library path: $LD_LIBRARY_PATH"
nproc

# memcheck runs beside the plain test run (two processes on one GPU; neither is timed), which
# saves its minutes of device time; it checks every test but the [long] ones (thousands of
# launches of kernels the others cover), or the --quick spec.
memcheck="not run (--quick; DARCH_GPU_MEMCHECK=1 runs it)"
memcheck_pid=""
memcheck_log="$work/memcheck.log"
[[ -n "${OUT:-}" && -d "${OUT:-}" ]] && memcheck_log="$OUT/memcheck.log"
if ((quick == 0)) || [[ "${DARCH_GPU_MEMCHECK:-0}" == 1 ]]; then
  sanitizer="$(command -v compute-sanitizer || true)"
  for c in /usr/local/cuda/bin/compute-sanitizer /usr/local/cuda/compute-sanitizer/compute-sanitizer \
           /opt/nvidia/compute-sanitizer/compute-sanitizer; do
    [[ -z "$sanitizer" && -x "$c" ]] && sanitizer="$c"
  done
  if [[ -z "$sanitizer" ]]; then
    memcheck="unavailable (compute-sanitizer not found)"
  else
    memcheck_spec=("~[long]")
    ((${#test_spec[@]})) && memcheck_spec=("${test_spec[@]}")
    step "compute-sanitizer memcheck started beside the tests: $sanitizer, tests ${memcheck_spec[*]}"
    OMP_NUM_THREADS=6 timeout 240 "$sanitizer" --tool memcheck --error-exitcode 99 --leak-check no \
      --print-limit 50 "$bin/darch_tests_cuda" --durations no "${memcheck_spec[@]}" \
      >"$memcheck_log" 2>&1 &
    memcheck_pid=$!
  fi
fi

step "device tests (darch_tests_cuda)"
OMP_NUM_THREADS=8 timeout "${DARCH_GPU_TEST_TIMEOUT:-200}" "$bin/darch_tests_cuda" --durations no "${test_spec[@]}"
rc=$?
echo "darch_tests_cuda exit status: $rc"
[[ $rc -eq 0 ]] || failed+=("tests (exit $rc)")

if [[ -n "$memcheck_pid" ]]; then
  step "compute-sanitizer memcheck (waiting for it)"
  wait "$memcheck_pid"
  rc=$?
  tail -25 "$memcheck_log"
  if grep -q "Device not supported\|Target application terminated before first instrumented API call" "$memcheck_log"; then
    memcheck="unavailable on this device/runtime (see above)"
  elif [[ $rc -eq 124 ]]; then
    memcheck="timed out after 240 s"
    failed+=("memcheck (timeout)")
  elif [[ $rc -eq 0 ]]; then
    memcheck="no errors ($(grep -o 'ERROR SUMMARY: [0-9]* error' "$memcheck_log" | tail -1))"
  else
    memcheck="FAILED (exit $rc; $(grep -o 'ERROR SUMMARY: [0-9]* error' "$memcheck_log" | tail -1))"
    failed+=("memcheck")
  fi
  echo "memcheck: $memcheck"
fi

results="$work/results.txt"
step "training steps at batch 128: darch (CUDA graph and eager) vs PyTorch eager"
timeout 120 "$bin/darch_bench_cuda_train_step" | tee -a "$results"
rc=${PIPESTATUS[0]}
[[ $rc -eq 0 ]] || failed+=("darch train-step benchmark (exit $rc)")
timeout 150 python3 "$root/benchmarks/cuda/train_step_torch.py" "$carry/networks.json" | tee -a "$results"
rc=${PIPESTATUS[0]}
[[ $rc -eq 0 ]] || failed+=("torch train-step peer (exit $rc)")

# (the block below is not indented: it holds a Python here-document)
e2e="not run (--quick)"
if ((quick == 0)) || [[ "${DARCH_GPU_GEMM:-0}" == 1 ]]; then
step "GEMM 4096^3: darch (C = A W^T, FP32 in/out) vs torch.matmul"
timeout 90 "$bin/darch_bench_cuda_gemm" 4096 4096 4096 20 | tee -a "$results"
rc=${PIPESTATUS[0]}
[[ $rc -eq 0 ]] || failed+=("darch GEMM benchmark (exit $rc)")
echo "-- the products of a 784-512 dense layer at batch 128 (forward; dW), each tile (tuning data):"
for shape in "128 512 784" "512 784 128"; do
  # shellcheck disable=SC2086
  timeout 60 "$bin/darch_bench_cuda_gemm" $shape 200
  rc=$?
  [[ $rc -eq 0 ]] || failed+=("darch GEMM benchmark $shape (exit $rc)")
done
timeout 90 python3 - <<'PY' 2>&1 | tee -a "$results"
import torch
torch.backends.cuda.matmul.allow_tf32 = True
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
fi

if ((quick == 0)); then

# The TF32 GEMM's 40 tuning configurations (darch::tune's cuda.gemm) on the README MLP's forward
# shapes and 4096^3: the tuned best against the default configuration, in GFLOP/s (torch.matmul
# above is the cuBLAS figure for the same shapes).
step "kernel tuning: darch-tune tune cuda.gemm (40 configurations, CUDA events)"
for problem in m=128,n=512,k=784 m=128,n=512,k=512 m=1024,n=1024,k=1024 m=4096,n=4096,k=4096; do
  timeout 60 "$bin/darch_tune" tune cuda.gemm --problem "$problem,layout=nt" --budget 0.2 \
    --db "$work/tune.sqlite" --top 5 2>&1 | tee -a "$work/tune.txt" | tail -9
  rc=${PIPESTATUS[0]}
  [[ $rc -eq 0 ]] || failed+=("darch-tune cuda.gemm $problem (exit $rc)")
done

step "end to end: random search on Fashion-MNIST, --backend cuda, 1 epoch per architecture, 1 minute"
timeout 120 "$bin/darch_example_search_fashion_mnist" --backend cuda --searcher random \
  --minutes 1 --epochs 1 --workers 2 --seed 1 --data "$carry/fashion-mnist" \
  --log "$work/logs" --name gpu-check 2>&1 | tee "$work/e2e.txt" | tail -22
rc=${PIPESTATUS[0]}
[[ $rc -eq 0 ]] || failed+=("end-to-end search (exit $rc)")
e2e="$(grep -o 'after [^;]*; [0-9]* evaluated' "$work/e2e.txt" | tail -1)"
e2e="${e2e:-no result}"

fi

step "summary"
printf '%-30s | %10s | %10s | %10s | %10s | %8s | %8s\n' network "graph ms" "eager ms" "torch ms" \
  "samples/s" "x torch" "x eager"
awk '$1 == "train" { ms[$3 " " $2] = $5; nets[$3] = 1 }
     END { for (n in nets) {
             g = ms[n " darch-graph"]; e = ms[n " darch-eager"]; t = ms[n " torch-eager"];
             printf "%-30s | %10s | %10s | %10s | %10s | %8s | %8s\n", n, g, e, t,
                    (g > 0 ? sprintf("%.0f", 128000 / g) : "-"),
                    (g > 0 && t > 0 ? sprintf("%.2f", t / g) : "-"),
                    (g > 0 && e > 0 ? sprintf("%.2f", e / g) : "-") } }' "$results" | sort
echo "(ms per training step at batch 128, Adam, batch copied from pinned host memory each step;"
echo " x torch = PyTorch eager time / darch graph time: the issue's goal is >= 3)"
printf '\n%-11s | %12s | %14s | %12s | %14s | %11s\n' precision "darch ms" "darch TFLOP/s" "torch ms" "torch TFLOP/s" "darch/torch"
for row in "tf32 darch" "bf16 darch" "bf16 darch-stored"; do
  read -r p who <<<"$row"
  d=$(awk -v p="$p" -v w="$who" '$1=="gemm" && $2==w && $3==p {print $7, $8}' "$results")
  t=$(awk -v p="$p" '$1=="gemm" && $2=="torch" && $3==p {print $7, $8}' "$results")
  read -r dms dtf <<<"${d:-- -}"
  read -r tms ttf <<<"${t:-- -}"
  ratio=$(awk -v a="$dtf" -v b="$ttf" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.2f", a/b; else print "-" }')
  label="$p"
  [[ "$who" == darch-stored ]] && label="$p stored"
  printf '%-11s | %12s | %14s | %12s | %14s | %11s\n' "$label" "$dms" "$dtf" "$tms" "$ttf" "$ratio"
done
echo "(bf16: gemm converts its FP32 inputs to BF16 on every call; bf16 stored: gemm_bf16 on operands"
echo " already in BF16, as torch's bf16 inputs are; the issue's goal is >= 0.70)"
echo
echo "end to end (--backend cuda, 2 workers): $e2e"
echo "memcheck: $memcheck"
if ((${#failed[@]})); then
  echo "gpu-check: FAILED: ${failed[*]}"
  exit 1
fi
echo "gpu-check: all passed"
