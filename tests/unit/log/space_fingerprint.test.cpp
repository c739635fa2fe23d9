// SPDX-License-Identifier: MIT
// The space fingerprint a search log records: the same space hashes the same, a changed one
// differently; and the exact size string beside it.
#include "darch/log/space_fingerprint.hpp"

#include <cstdint>
#include <vector>

#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/search_logs.hpp"

namespace {

using namespace darch::testing::log_test_names;

}  // namespace

TEST_CASE("space_fingerprint: the same space hashes the same, a changed one differently", "[log]") {
  using a = darch::seq<darch::dense<darch::choice<8, 16>>, darch::dropout<darch::choice<0.1, 0.5>>>;
  using b = darch::seq<darch::dense<darch::choice<8, 32>>, darch::dropout<darch::choice<0.1, 0.5>>>;
  using c = darch::seq<darch::dense<darch::choice<8, 16>>, darch::dropout<darch::choice<0.1, 0.6>>>;
  using d = darch::seq<darch::dense<darch::shared<"w", darch::choice<8, 16>>>,
                       darch::dropout<darch::choice<0.1, 0.5>>>;
  using e = darch::seq<darch::dense<darch::shared<"v", darch::choice<8, 16>>>,
                       darch::dropout<darch::choice<0.1, 0.5>>>;
  using f = darch::seq<darch::dropout<darch::choice<0.1, 0.5>>, darch::dense<darch::choice<8, 16>>>;
  const std::vector<std::uint64_t> prints{darch::space_fingerprint(darch::space_of<a>()),
                                          darch::space_fingerprint(darch::space_of<b>()),
                                          darch::space_fingerprint(darch::space_of<c>()),
                                          darch::space_fingerprint(darch::space_of<d>()),
                                          darch::space_fingerprint(darch::space_of<e>()),
                                          darch::space_fingerprint(darch::space_of<f>()),
                                          darch::space_fingerprint(darch::space_of<readme>())};
  CHECK(darch::space_fingerprint(darch::space_of<a>()) == prints[0]);
  CHECK(darch::space_fingerprint(darch::space_of<tiny>()) == prints[0]);  // the same type
  for (std::size_t i = 0; i < prints.size(); ++i)
    for (std::size_t j = i + 1; j < prints.size(); ++j) CHECK(prints[i] != prints[j]);
  CHECK(darch::space_size_string(darch::space_of<readme>()) == "41784");
  using huge = darch::repeat<darch::choice<70>, darch::dense<darch::choice<8, 16>>>;
  CHECK(darch::space_size_string(darch::space_of<huge>()) == "1180591620717411303424");  // 2^70
}
