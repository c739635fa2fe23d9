// SPDX-License-Identifier: MIT
// The README's search space, in C++: DeepArchitect's Keras MLP example as a type.
//
// 1, 2 or 4 cells; each cell is a dense layer of 256, 512 or 1024 units with an activation
// shared by every cell (relu or sigmoid), then an optional dropout of rate 0.2, 0.5 or 0.7;
// then a dense layer of 10 units with softmax. An anonymous hyperparameter (a bare domain) is a
// fresh decision at every occurrence, so each repeated cell picks its own units and dropout;
// `shared<"act", ...>` is one decision wherever it appears.
//
// The compiler builds the space's table, checks every domain and every reachable shape (the
// input is 784 features), and counts the assignments exactly: 2 x (12 + 12^2 + 12^4) = 41,784,
// the same number that enumerating DeepArchitect's own implementation gives.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "darch/arch/graph.hpp"
#include "darch/arch/sample.hpp"
#include "darch/arch/value_of.hpp"
#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/spaces/readme_mlp.hpp"

namespace readme {

using act = darch::shared<"act", darch::one_of<darch::relu, darch::sigmoid>>;
using cell = darch::seq<darch::dense<darch::choice<256, 512, 1024>, act>,
                        darch::optional<darch::flag, darch::dropout<darch::choice<0.2, 0.5, 0.7>>>>;
using mlp = darch::seq<darch::repeat<darch::choice<1, 2, 4>, darch::named<"cell", cell>>,
                       darch::dense<darch::choice<10>, darch::softmax>>;
using space = darch::with_input_shape<mlp, 784>;

static_assert(darch::space_size<space> == 41'784);
// The library ships the same space, for tests and benchmarks, as darch::spaces::readme_mlp.
static_assert(darch::space_size<darch::spaces::readme_mlp> == darch::space_size<space>);

}  // namespace readme

static std::string with_commas(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

int main(int argc, char** argv) {
  const std::uint64_t seed = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1;
  constexpr darch::space_ref space = darch::space_of<readme::space>();
  std::printf("README space: %s architectures (exact, computed by the compiler)\n",
              with_commas(space.size()).c_str());

  darch::rng gen(seed);
  for (int i = 0; i < 3; ++i) {
    const darch::assignment a = darch::sample(space, gen);
    std::printf("\narchitecture %d (seed %" PRIu64 "):\n  decisions:", i + 1, seed);
    for (const auto& [name, value] : darch::values_of(space, a))
      std::printf(" %s=%s", name.c_str(), darch::to_string(value).c_str());
    std::printf("\n  ops:");
    const darch::architecture arch = darch::materialize(space, a);
    for (auto v : arch.vertices()) {
      const darch::arch_node& n = arch.graph[v];
      if (n.kind != darch::arch_node::role::op) continue;
      std::printf(" %.*s(", static_cast<int>(n.op.size()), n.op.data());
      const char* separator = "";
      for (const darch::param_value& p : arch.params_of(v)) {
        std::printf("%s%s", separator, darch::to_string(p.v).c_str());
        separator = ", ";
      }
      std::printf(")");
    }
    std::printf("\n");
  }
  return 0;
}
