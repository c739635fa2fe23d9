// SPDX-License-Identifier: MIT
// Fuzzes the reading of an assignment from JSON text (what config.json's "architecture" and the
// `--architecture`-style inputs go through): parse_json_text, then assignment_from_json on the
// README space. Defects must be std::invalid_argument (parse) or darch::assignment_error; an
// assignment read must validate and survive a round trip through to_json.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "darch/arch/assignment.hpp"
#include "darch/arch/decisions.hpp"
#include "darch/arch/json.hpp"
#include "darch/arch/json_read.hpp"
#include "readme_space.hpp"
#include "support.hpp"

namespace {
const darch::space_ref space = darch::fuzz::readme_space();
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  nlohmann::json j;
  try {
    j = darch::parse_json_text(darch::fuzz::text_of(data, size));
  } catch (const std::invalid_argument&) {
    return 0;
  }
  darch::fuzz::expect_only<darch::assignment_error>([&] {
    const darch::assignment a = darch::assignment_from_json(space, j);
    darch::validate(space, a);
    if (darch::assignment_from_json(space, darch::to_json(space, a)) != a) {
      std::fprintf(stderr, "fuzz: the assignment read does not survive a round trip\n");
      std::abort();
    }
  });
  return 0;
}
