// SPDX-License-Identifier: MIT
/// @file
/// main() of the device tests. Listing tests always works (CTest discovers them at build time on
/// machines without a GPU); running them where no CUDA device is usable returns 77, which CTest
/// reports as Skipped (SKIP_RETURN_CODE 77) rather than passed.
#define CATCH_CONFIG_RUNNER
#include "support/catch.hpp"

#if defined(DARCH_CATCH2_V3)
#include <catch2/catch_session.hpp>
#endif

#include <cstdio>

#include "darch/exec/backend.hpp"

int main(int argc, char* argv[]) {
  Catch::Session session;
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
  const auto& cfg = session.configData();
#if defined(DARCH_CATCH2_V3)
  const bool listing = cfg.listTests || cfg.listTags || cfg.listReporters || cfg.listListeners;
#else
  const bool listing = cfg.listTests || cfg.listTestNamesOnly || cfg.listTags || cfg.listReporters;
#endif
  if (!listing && !cfg.showHelp) {
    const auto& cuda = darch::exec::cuda_status();
    if (!cuda.available) {
      std::printf("SKIPPED: no usable CUDA device: %s\n", cuda.reason.c_str());
      return 77;
    }
  }
  return session.run();
}
