#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the dependencies, then configures, builds and tests darch with a CMake workflow preset.
#   ./scripts/build-and-test.sh          the ci workflow: Release build of everything, all tests
#                                        except label slow (gpu tests report Skipped without a GPU)
#   ./scripts/build-and-test.sh asan     the asan workflow: ASan+UBSan Debug build, label unit
#   ./scripts/build-and-test.sh all      both, ci first
# Exits non-zero on any failure. Build trees: build/ci, build/asan.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

mode="${1:-ci}"
case "$mode" in
  ci) workflows=(ci) ;;
  asan) workflows=(asan) ;;
  all) workflows=(ci asan) ;;
  *) echo "usage: $0 [ci|asan|all]" >&2; exit 2 ;;
esac

./scripts/install-deps.sh

for wf in "${workflows[@]}"; do
  echo "==> cmake --workflow --preset $wf"
  start=$SECONDS
  cmake --workflow --preset "$wf"
  echo "==> workflow $wf passed in $((SECONDS - start)) s"
done
