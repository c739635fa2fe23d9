// EXPECT: darch::static_network: no static kernels for the op named in this message's context
// Misuse: a user's op with a run-time kernel only, in a static network.
#include <string_view>

#include "darch/fixed/static_network.hpp"
#include "darch/space.hpp"

struct swish {
  static constexpr std::string_view name = "swish";
  using params = darch::params<>;
};
using space = darch::with_input_shape<darch::seq<darch::dense<darch::choice<32>>, swish,
                                                 darch::dense<darch::choice<10>, darch::softmax>>,
                                      784>;
using best = darch::fixed_architecture<space, darch::choices<>>;
void make() { darch::static_network<best> net(1); }
