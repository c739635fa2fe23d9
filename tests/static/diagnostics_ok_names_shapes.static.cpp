// SPDX-License-Identifier: MIT
// The positive side of tests/compile_fail, for the misuses of shared and dependent
// hyperparameters, constraints and input shapes: for every one, the nearest correct space, which
// must compile, with its size worked out by hand (counted as
// diagnostics_ok_building_blocks.static.cpp says). Each namespace is named after the compile_fail
// case it answers (tests/compile_fail/<name>.fail.cpp; pending/ for the ones the library cannot
// diagnose yet). See docs/diagnostics.md.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

namespace darch_diagnostics_ok {

using namespace darch;

// ---- hyperparameters and declarations ------------------------------------------------------

namespace shared_two_domains {  // one decision "act" in {relu, sigmoid}: 2
using act = shared<"act", one_of<relu, sigmoid>>;
using net = seq<dense<choice<128>, act>, dense<choice<64>, act>>;
static_assert(space_of<net>().size() == 2);
}  // namespace shared_two_domains

namespace shared_too_many {  // 32 shared widths, 2 values each: 2^32
template <fixed_string Name>
using layer = dense<shared<Name, choice<64, 128>>, relu>;
using net = seq<layer<"w00">, layer<"w01">, layer<"w02">, layer<"w03">, layer<"w04">, layer<"w05">,
                layer<"w06">, layer<"w07">, layer<"w08">, layer<"w09">, layer<"w10">, layer<"w11">,
                layer<"w12">, layer<"w13">, layer<"w14">, layer<"w15">, layer<"w16">, layer<"w17">,
                layer<"w18">, layer<"w19">, layer<"w20">, layer<"w21">, layer<"w22">, layer<"w23">,
                layer<"w24">, layer<"w25">, layer<"w26">, layer<"w27">, layer<"w28">, layer<"w29">,
                layer<"w30">, layer<"w31">>;
static_assert(space_size<net> == std::uint64_t{1} << 32);
}  // namespace shared_too_many

namespace shared_too_many_conditional {
// 8 optional blocks, each 1 (off) + 2 rates of its own shared name (on) = 3: 3^8 = 6561
template <fixed_string Name>
using opt = optional<seq<dense<choice<64>, relu>, dropout<shared<Name, choice<0.2, 0.5>>>>>;
using net = seq<opt<"drop0">, opt<"drop1">, opt<"drop2">, opt<"drop3">, opt<"drop4">, opt<"drop5">,
                opt<"drop6">, opt<"drop7">>;
static_assert(space_size<net> == 6561);
}  // namespace shared_too_many_conditional

namespace dependent_no_parents {  // a constant is a one-value domain: 1
using net = dense<choice<64>, relu>;
static_assert(space_size<net> == 1);
}  // namespace dependent_no_parents

namespace dependent_arity {  // depth {1, 2} x units {128, 256}; the dependent counts 1: 4
using units = shared<"units", choice<128, 256>>;
using depth = shared<"depth", choice<1, 2>>;
using half = dependent<[](std::int64_t u, std::int64_t d) { return u / d; }, "units", "depth">;
using net = seq<repeat<depth, dense<units, relu>>, dense<half, relu>>;
static_assert(space_of<net>().size() == 4);
}  // namespace dependent_arity

namespace dependent_bad_parameter_type {  // act {relu, tanh}: 2
using act = shared<"act", one_of<relu, tanh>>;
using rate = dependent<[](std::string_view a) { return a == "relu" ? 0.5 : 0.25; }, "act">;
using net = seq<dense<choice<64>, act>, dropout<rate>>;
static_assert(space_of<net>().size() == 2);
}  // namespace dependent_bad_parameter_type

namespace dependent_bad_return_type {  // wide {false, true}: 2
using wide = shared<"wide", flag>;
using pad = dependent<[](bool w) { return std::string_view{w ? "same" : "valid"}; }, "wide">;
struct my_op {
  static constexpr std::string_view name = "my_op";
  using params = darch::params<param<"wide", wide>, param<"padding", pad>>;
};
static_assert(space_of<my_op>().size() == 2);
}  // namespace dependent_bad_return_type

namespace dependent_undeclared_name {  // units {128, 256}: 2
using width = shared<"units", choice<128, 256>>;
using half = dependent<[](std::int64_t u) { return u / 2; }, "units">;
using net = seq<dense<width, relu>, dense<half, relu>>;
static_assert(space_of<net>().size() == 2);
}  // namespace dependent_undeclared_name

namespace dependent_value_rejected {  // units - 32 is 32, 96 or 224, all accepted: 3
using units = shared<"units", choice<64, 128, 256>>;
using bottleneck = dependent<[](std::int64_t u) { return u - 32; }, "units">;
using net = seq<dense<units, relu>, dense<bottleneck, relu>>;
static_assert(space_of<net>().size() == 3);
}  // namespace dependent_value_rejected

// ---- constraints ---------------------------------------------------------------------------

// depth {1, 2, 4} x units {128, 256, 512}; the copies share "units", so each (d, w) is one
// assignment. d * w <= 1024 keeps d = 1: 3, d = 2: 3 (256, 512, 1024), d = 4: 2 (512, 1024) = 8.
namespace constraint_no_names {
using depth = shared<"depth", choice<1, 2, 4>>;
using units = shared<"units", choice<128, 256, 512>>;
using body = repeat<depth, dense<units, relu>>;
using net =
    constrained<body, constraint<[](std::int64_t d, std::int64_t w) { return d * w <= 1024; },
                                 "depth", "units">>;
static_assert(space_of<net>().size() == 8);
}  // namespace constraint_no_names

namespace constraint_arity {  // both names given: 8, as above
using net = constraint_no_names::net;
static_assert(space_of<net>().size() == 8);
}  // namespace constraint_arity

namespace constraint_not_bool {  // the budget as a bool: 8, as above
using net = constrained<
    constraint_no_names::body,
    constraint<[](std::int64_t d, std::int64_t w) { return 1024 - d * w >= 0; }, "depth", "units">>;
static_assert(space_of<net>().size() == 8);
}  // namespace constraint_not_bool

namespace constrained_not_a_constraint {  // a constraint on "units", not "units" itself: 8
using net = constraint_no_names::net;
static_assert(space_of<net>().size() == 8);
}  // namespace constrained_not_a_constraint

namespace constraint_undeclared_name {  // "units", not "width": 8
using net = constraint_no_names::net;
static_assert(space_of<net>().size() == 8);
}  // namespace constraint_undeclared_name

namespace constraints_unsatisfiable {  // d * w <= 256 keeps (1, 128), (1, 256), (2, 128): 3
using net = constrained<
    constraint_no_names::body,
    constraint<[](std::int64_t d, std::int64_t w) { return d * w <= 256; }, "depth", "units">>;
static_assert(space_of<net>().size() == 3);
}  // namespace constraints_unsatisfiable

// ---- input shapes --------------------------------------------------------------------------

namespace input_shape_rank {  // {1, 28, 28}: 1
using net = with_input_shape<conv2d<choice<16>>, 1, 28, 28>;
static_assert(space_of<net>().size() == 1);
}  // namespace input_shape_rank

namespace input_shape_nonpositive {  // {3, 28, 28}: 1
using net = with_input_shape<conv2d<choice<16>>, 3, 28, 28>;
static_assert(space_of<net>().size() == 1);
}  // namespace input_shape_nonpositive

namespace shape_spatial_below_one {  // 6 -> 4 -> 2 with valid 3x3; 1 or 2 copies: 2
using conv = conv2d<choice<8>, choice<3>, choice<1>, valid, relu>;
using net = with_input_shape<repeat<choice<1, 2>, conv>, 1, 6, 6>;
static_assert(space_of<net>().size() == 2);
}  // namespace shape_spatial_below_one

namespace shape_pool_below_one {  // 4 -> 2 -> 1; 1 or 2 pools: 2
using net = with_input_shape<repeat<int_range<1, 2>, max_pool<>>, 16, 4, 4>;
static_assert(space_of<net>().size() == 2);
}  // namespace shape_pool_below_one

namespace shape_add_mismatch {  // the main branch ends at 784 again; hidden width {64, 128}: 2
using block = residual<seq<dense<choice<64, 128>, relu>, dense<choice<784>>>, identity, add>;
using net = with_input_shape<block, 784>;
static_assert(space_of<net>().size() == 2);
}  // namespace shape_add_mismatch

namespace shape_concat_mismatch {  // both branches go to 16x16 (stride-2 conv, 2x2 pool); 2 widths:
                                   // 2
using branches = parallel<conv2d<choice<16, 32>, choice<3>, choice<2>>, max_pool<>>;
using net = with_input_shape<seq<branches, concat>, 3, 32, 32>;
static_assert(space_of<net>().size() == 2);
}  // namespace shape_concat_mismatch

namespace shape_dense_on_image {  // flatten before the head; filters {16, 32}: 2
using net = with_input_shape<seq<conv2d<choice<16, 32>, choice<3>, choice<1>, same, relu>, flatten,
                                 dense<choice<10>, softmax>>,
                             1, 28, 28>;
static_assert(space_of<net>().size() == 2);
}  // namespace shape_dense_on_image

namespace shape_conv_on_flat {  // an image input: 1
using net = with_input_shape<conv2d<choice<16>, choice<3>>, 1, 28, 28>;
static_assert(space_of<net>().size() == 1);
}  // namespace shape_conv_on_flat

namespace shape_wrong_input_count {  // concat merges the branches first: 1
using branches = parallel<dense<choice<64>, relu>, dense<choice<64>, tanh>>;
using net = with_input_shape<seq<branches, concat, dense<choice<10>, softmax>>, 784>;
static_assert(space_of<net>().size() == 1);
}  // namespace shape_wrong_input_count

namespace shape_non_positive_size {  // factor {2, 4} never empties 8 or 256 features: 2 x 2 = 4
template <class Factor>
struct subsample {
  static constexpr std::string_view name = "subsample";
  using params = darch::params<param<"factor", Factor>>;
  static constexpr shape_result infer_shape(const shape* in, std::size_t n,
                                            const value* p) noexcept {
    if (n != 1) return {shape_error::wrong_input_count, {}};
    if (in[0].rank != 1) return {shape_error::needs_flat_input, {}};
    const std::int64_t out = in[0].dims[0] / p[0].integer;
    if (out < 1) return {shape_error::non_positive_size, {}};
    return {shape_error::none, shape::flat(out)};
  }
};
using net = with_input_shape<seq<dense<choice<8, 256>, relu>, subsample<choice<2, 4>>>, 784>;
static_assert(space_of<net>().size() == 4);
}  // namespace shape_non_positive_size

namespace shape_too_varied {  // 64, 128, ..., 512: 8 widths (at most 16 shapes meet): 8
using net =
    with_input_shape<seq<dense<int_range<64, 512, 64>, relu>, dense<choice<10>, softmax>>, 784>;
static_assert(space_of<net>().size() == 8);
}  // namespace shape_too_varied

namespace shape_too_many_ports {  // 5 branches merged 3 + 2, so at most 3 ports meet: 1
using conv = conv2d<choice<16>, choice<3>>;
using net =
    with_input_shape<seq<parallel<seq<parallel<conv, conv, conv>, concat>, conv, conv>, concat>, 3,
                     32, 32>;
static_assert(space_of<net>().size() == 1);
}  // namespace shape_too_many_ports

// ---- the same spaces counted with space_size alone (it runs every check too) ---------------

namespace space_size_checks_shared_domains {  // one "act" decision: 2
using net = shared_two_domains::net;
static_assert(space_size<net> == 2);
}  // namespace space_size_checks_shared_domains

namespace space_size_checks_dependent_values {  // units {64, 128, 256}: 3
using net = dependent_value_rejected::net;
static_assert(space_size<net> == 3);
}  // namespace space_size_checks_dependent_values

namespace space_size_checks_shapes {  // hidden width {64, 128}: 2
using net = shape_add_mismatch::net;
static_assert(space_size<net> == 2);
}  // namespace space_size_checks_shapes

}  // namespace darch_diagnostics_ok
