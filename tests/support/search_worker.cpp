// SPDX-License-Identifier: MIT
// The worker program of the isolation tests (tests/unit/search/run_isolation.test.cpp):
//   darch_test_search_worker [<behaviour>@<id> ...] [--fail-at-startup]
// serves evaluations as a search binary's worker process does, scoring like the driver's tests
// (objective() of support/search_runs.hpp), except that evaluation <id> misbehaves:
//   segv   writes to a page it may not write (a real segmentation fault)
//   abort  calls std::abort
//   spin   loops forever
//   alloc  allocates and touches memory until allocation fails
//   throw  throws std::runtime_error("evaluation <id> threw")
//   exit   calls std::exit(3) (a library that exits under the evaluator's feet)
#include <sys/mman.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "darch/search/isolation.hpp"
#include "support/search_runs.hpp"

namespace {

using darch::search::proposal;
using darch::search::trial_context;
using darch::search::trial_result;

[[noreturn]] void segfault() {
  void* page = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED) std::abort();
  *static_cast<volatile char*>(page) = 1;  // SIGSEGV: the page is read-only
  std::abort();
}

[[noreturn]] void spin() {
  volatile std::uint64_t counter = 0;
  for (;;) counter = counter + 1;
}

void allocate_until_failure() {
  std::vector<std::unique_ptr<char[]>> blocks;
  for (;;) {
    constexpr std::size_t block = std::size_t{64} << 20;
    blocks.emplace_back(new char[block]);
    std::memset(blocks.back().get(), 1, block);  // resident, not just reserved
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::uint64_t, std::string> plan;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--fail-at-startup") {
      std::fprintf(stderr, "search_worker: failing at startup, as asked\n");
      return 4;
    }
    const std::size_t at = arg.find('@');
    if (at == std::string::npos) {
      std::fprintf(stderr, "search_worker: expected <behaviour>@<id>, got %s\n", argv[i]);
      return 2;
    }
    plan[std::stoull(arg.substr(at + 1))] = arg.substr(0, at);
  }
  return darch::search::serve_evaluations([&](const proposal& p, const trial_context&) {
    if (const auto it = plan.find(p.id); it != plan.end()) {
      const std::string& what = it->second;
      if (what == "segv") segfault();
      if (what == "abort") std::abort();
      if (what == "spin") spin();
      if (what == "alloc") allocate_until_failure();
      if (what == "throw")
        throw std::runtime_error("evaluation " + std::to_string(p.id) + " threw");
      if (what == "exit") std::exit(3);
    }
    trial_result r;
    r.score = darch::testing::objective()(p.arch);
    return r;
  });
}
