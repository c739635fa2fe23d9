// EXPECT: static assertion failed: darch::with_input_shape: an op computes a size below 1 from its hyperparameters
// Misuse: a user op keeps every Factor-th feature; 8 features / 32 leaves none.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

template <class Factor>
struct subsample {
  static constexpr std::string_view name = "subsample";
  using params = darch::params<darch::param<"factor", Factor>>;
  static constexpr darch::shape_result infer_shape(const darch::shape* in, std::size_t n,
                                                   const darch::value* p) noexcept {
    if (n != 1) return {darch::shape_error::wrong_input_count, {}};
    if (in[0].rank != 1) return {darch::shape_error::needs_flat_input, {}};
    const std::int64_t out = in[0].dims[0] / p[0].integer;
    if (out < 1) return {darch::shape_error::non_positive_size, {}};
    return {darch::shape_error::none, darch::shape::flat(out)};
  }
};
using net = darch::with_input_shape<
    darch::seq<darch::dense<darch::choice<8, 256>, darch::relu>, subsample<darch::choice<2, 32>>>,
    784>;
constexpr darch::space_ref space = darch::space_of<net>();  // builds net: runs every check
