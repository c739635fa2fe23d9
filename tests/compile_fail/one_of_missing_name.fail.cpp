// EXPECT: static assertion failed: darch::one_of: every option needs `static constexpr std::string_view name`
// Misuse: a user-defined option type of a user op's one_of has no `name`, so it cannot be printed
// or serialised.
#include <cstdint>
#include <string_view>

#include "darch/space.hpp"

struct batch_stats {
  static constexpr std::string_view name = "batch";
};
struct layer_stats {};  // should have: static constexpr std::string_view name = "layer";
struct my_norm {
  static constexpr std::string_view name = "my_norm";
  using params = darch::params<darch::param<"statistics", darch::one_of<batch_stats, layer_stats>>>;
};
using net = darch::seq<darch::dense<darch::choice<128>, darch::relu>, my_norm>;
inline constexpr std::uint64_t net_size = darch::space_size<net>;
