// SPDX-License-Identifier: MIT
// Fuzzes make_searcher's reading of searcher options (`--searcher-options`, search.json's
// "searcher"."options"). The first byte of an input picks the searcher; the rest is the options'
// JSON text. Defects must be std::invalid_argument; a searcher made must then ask and be told.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include <nlohmann/json.hpp>

#include "darch/arch/assignment.hpp"
#include "darch/arch/json_read.hpp"
#include "darch/search/registry.hpp"
#include "readme_space.hpp"
#include "support.hpp"

namespace {
const darch::space_ref space = darch::fuzz::readme_space();
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto names = darch::search::searcher_names();
  const std::string_view name = names[data[0] % names.size()];
  nlohmann::json options;
  try {
    options = darch::parse_json_text(darch::fuzz::text_of(data + 1, size - 1));
  } catch (const std::invalid_argument&) {
    return 0;
  }
  darch::fuzz::expect_only<std::invalid_argument>([&] {
    const auto searcher = darch::search::make_searcher(name, space, 1, options);
    for (int i = 0; i < 3; ++i)
      if (const auto p = searcher->ask()) searcher->tell(*p, 0.25 * i);
  });
  return 0;
}
