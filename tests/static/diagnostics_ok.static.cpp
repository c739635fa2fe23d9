// SPDX-License-Identifier: MIT
// The positive side of tests/compile_fail: for every misuse there, the nearest correct space,
// which must compile, with its size worked out by hand. Each namespace is named after the
// compile_fail case it answers (tests/compile_fail/<name>.fail.cpp; pending/ for the ones the
// library cannot diagnose yet). See docs/diagnostics.md.
//
// How the sizes are counted (docs/space-language.md, "What is counted"):
//  - an op multiplies the sizes of its anonymous domains (a one-value domain, or a fixed tag such
//    as darch::relu, counts 1);
//  - seq / parallel / residual / named multiply their children;
//  - or_ adds its alternatives; optional<M> is 1 (off) + |M| (on);
//  - repeat<{n...}, M> is the sum over n of |M|^n (each copy decides its own anonymous values);
//  - a shared name is one decision: it multiplies by its domain size once, wherever it is used;
//    when it controls structure (a repeat count, an or_ selector) or a constraint reads it, the
//    space is counted once per value of it, and constraints drop the points they reject;
//  - a dependent is never a decision (it counts 1).
// Spaces with an input shape, a dependent or a constraint use darch::space_of<S>(), which runs
// every check of S; the others use darch::space_size<S>.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "darch/space.hpp"
#include "darch/space/space_ref.hpp"

namespace darch_diagnostics_ok {

using namespace darch;

// ---- domains -------------------------------------------------------------------------------

namespace choice_empty {  // units 2 x head 1
using net = seq<dense<choice<64, 128>, relu>, dense<choice<10>, softmax>>;
static_assert(space_size<net> == 2);
}  // namespace choice_empty

namespace choice_duplicate {  // units {64, 128, 256}: 3
using net = seq<dense<choice<64, 128, 256>, relu>, dense<choice<10>, softmax>>;
static_assert(space_size<net> == 3);
}  // namespace choice_duplicate

namespace choice_mixed_types {  // rates {0.0, 0.25, 0.5}, all double: 3
using net = seq<dense<choice<128>, relu>, dropout<choice<0.0, 0.25, 0.5>>>;
static_assert(space_size<net> == 3);
}  // namespace choice_mixed_types

namespace choice_not_a_value {  // one_of<relu, tanh>: 2
using net = dense<choice<128>, one_of<relu, tanh>>;
static_assert(space_size<net> == 2);
}  // namespace choice_not_a_value

namespace one_of_empty {  // one_of<relu> is a one-value domain: 1
using net = seq<dense<choice<128>, one_of<relu>>, dense<choice<10>, softmax>>;
static_assert(space_size<net> == 1);
}  // namespace one_of_empty

namespace one_of_duplicate {  // {relu, tanh}: 2
using net = seq<dense<choice<128>, one_of<relu, tanh>>, dense<choice<10>, softmax>>;
static_assert(space_size<net> == 2);
}  // namespace one_of_duplicate

namespace one_of_missing_name {  // {batch, layer}: 2
struct batch_stats {
  static constexpr std::string_view name = "batch";
};
struct layer_stats {
  static constexpr std::string_view name = "layer";
};
struct my_norm {
  static constexpr std::string_view name = "my_norm";
  using params = darch::params<param<"statistics", one_of<batch_stats, layer_stats>>>;
};
using net = seq<dense<choice<128>, relu>, my_norm>;
static_assert(space_size<net> == 2);
}  // namespace one_of_missing_name

namespace int_range_empty {  // depth 2..8 (7 values), each copy 1: 7
using net = repeat<int_range<2, 8>, dense<choice<64>, relu>>;
static_assert(space_size<net> == 7);
}  // namespace int_range_empty

namespace int_range_zero_step {  // depth 1..8: 8
using net = repeat<int_range<1, 8>, dense<choice<64>, relu>>;
static_assert(space_size<net> == 8);
}  // namespace int_range_zero_step

namespace int_range_too_many_values {  // 16, 32, ..., 70000 = 16 * 4375: 4375 values
using net = dense<int_range<16, 70000, 16>, relu>;
static_assert(space_size<net> == 4375);
}  // namespace int_range_too_many_values

namespace pow2_range_not_pow2 {  // 16, 32, 64, 128, 256, 512, 1024: 7
using net = dense<pow2_range<16, 1024>, relu>;
static_assert(space_size<net> == 7);
}  // namespace pow2_range_not_pow2

namespace pow2_range_empty {  // same domain: 7
using net = dense<pow2_range<16, 1024>, relu>;
static_assert(space_size<net> == 7);
}  // namespace pow2_range_empty

// ---- modules -------------------------------------------------------------------------------

namespace dropout_rate_one {  // rates {0.0, 0.5, 0.9}: 3
using net = seq<dense<choice<128>, relu>, dropout<choice<0.0, 0.5, 0.9>>>;
static_assert(space_size<net> == 3);
}  // namespace dropout_rate_one

namespace dense_zero_units {  // "no layer" is optional<>: 1 (off) + 2 (on) = 3
using net = seq<optional<dense<choice<64, 128>, relu>>, dense<choice<10>, softmax>>;
static_assert(space_size<net> == 3);
}  // namespace dense_zero_units

namespace dense_bad_activation {  // {relu, tanh} x batch_norm 1: 2
using net = seq<dense<choice<128>, one_of<relu, tanh>>, batch_norm>;
static_assert(space_size<net> == 2);
}  // namespace dense_bad_activation

namespace conv2d_zero_filters {  // 16, 32, 48, 64: 4
using net = conv2d<int_range<16, 64, 16>>;
static_assert(space_size<net> == 4);
}  // namespace conv2d_zero_filters

namespace conv2d_even_kernel {  // filters 2 x kernel {3, 5} 2: 4
using net = conv2d<choice<32, 64>, choice<3, 5>>;
static_assert(space_size<net> == 4);
}  // namespace conv2d_even_kernel

namespace conv2d_stride_three {  // stride {1, 2}: 2
using net = conv2d<choice<32>, choice<3>, choice<1, 2>>;
static_assert(space_size<net> == 2);
}  // namespace conv2d_stride_three

namespace conv2d_bad_padding {  // padding {same, valid}: 2
using net = conv2d<choice<32>, choice<3>, choice<1>, one_of<same, valid>>;
static_assert(space_size<net> == 2);
}  // namespace conv2d_bad_padding

namespace conv2d_bad_activation {  // {relu, gelu}: 2
using net = conv2d<choice<32>, choice<3>, choice<1>, same, one_of<relu, gelu>>;
static_assert(space_size<net> == 2);
}  // namespace conv2d_bad_activation

namespace activation_unsupported {  // {relu, gelu}: 2
using net = seq<dense<choice<64>>, activation<one_of<relu, gelu>>>;
static_assert(space_size<net> == 2);
}  // namespace activation_unsupported

namespace pool_zero_window {  // "no pooling" is optional<>: 1 + 1 = 2
using net = seq<conv2d<choice<16>>, optional<max_pool<choice<2>, choice<2>>>>;
static_assert(space_size<net> == 2);
}  // namespace pool_zero_window

namespace pool_zero_stride {  // the stride defaults to the window: 1
using net = seq<conv2d<choice<16>>, avg_pool<choice<2>>>;
static_assert(space_size<net> == 1);
}  // namespace pool_zero_stride

// ---- combinators ---------------------------------------------------------------------------

namespace repeat_zero_count {  // "no hidden layer" is optional<>: 1 + (1 + 1) = 3
using net =
    seq<optional<repeat<choice<1, 2>, dense<choice<64>, relu>>>, dense<choice<10>, softmax>>;
static_assert(space_size<net> == 3);
}  // namespace repeat_zero_count

namespace optional_non_boolean_flag {  // 1 (off) + 2 rates (on) = 3
using net = seq<dense<choice<128>, relu>, optional<flag, dropout<choice<0.25, 0.5>>>>;
static_assert(space_size<net> == 3);
}  // namespace optional_non_boolean_flag

namespace or_selector_out_of_range {  // block in {0, 1}, each alternative 1: 2
using block = shared<"block", int_range<0, 1>>;
using net = or_<block, dense<choice<64>, relu>, dense<choice<64>, tanh>>;
static_assert(space_size<net> == 2);
}  // namespace or_selector_out_of_range

namespace or_no_alternatives {  // two alternatives of size 1: 2
using net = seq<dense<choice<64>>, or_<dense<choice<10>, softmax>, dense<choice<10>, sigmoid>>>;
static_assert(space_size<net> == 2);
}  // namespace or_no_alternatives

namespace seq_empty {  // a placeholder is darch::identity: 1
using stem = seq<identity>;
using net = seq<stem, dense<choice<10>, softmax>>;
static_assert(space_size<net> == 1);
}  // namespace seq_empty

namespace parallel_empty {  // two fixed branches, concat to {24, 32, 32}: 1
using net =
    with_input_shape<seq<parallel<conv2d<choice<16>>, conv2d<choice<8>>>, concat>, 3, 32, 32>;
static_assert(space_of<net>().size() == 1);
}  // namespace parallel_empty

namespace permutation_empty {  // 2! orders x 1: 2
using net = seq<dense<choice<64>>, permutation<dense<choice<32>>, batch_norm>>;
static_assert(space_size<net> == 2);
}  // namespace permutation_empty

namespace permutation_too_many {  // 4! orders of fixed layers: 24
using l = dense<choice<64>, relu>;
using net = permutation<l, l, l, l>;
static_assert(space_size<net> == 24);
}  // namespace permutation_too_many

namespace split_combine_zero_branches {  // sum over n = 1..4 of 2^n = 2 + 4 + 8 + 16 = 30
using net = split_combine<int_range<1, 4>, dense<choice<64, 128>, relu>, add>;
static_assert(space_size<net> == 30);
}  // namespace split_combine_zero_branches

namespace nested_repeat_dependent_count {
// A shared count: depth 1 -> dense<64>, depth 2 -> wrap<dense<64>>, each 1; the repeat follows the
// same depth: 2 points x 1 = 2.
template <class Inner>
using wrap = seq<Inner, dense<choice<64>, relu>>;
using depth = shared<"depth", choice<1, 2>>;
using net = seq<repeat<depth, batch_norm>, nested_repeat<depth, dense<choice<64>>, wrap>>;
static_assert(space_size<net> == 2);
}  // namespace nested_repeat_dependent_count

namespace nested_repeat_count_range {  // 3 depths, each with First's 2 widths: 6
template <class Inner>
using wrap = seq<Inner, dense<choice<64>, relu>>;
using net = nested_repeat<choice<1, 4, 16>, dense<choice<32, 64>>, wrap>;
static_assert(space_size<net> == 6);
}  // namespace nested_repeat_count_range

namespace dense_block_zero_count {
// n applications of a 2-way dense, n - 1 fixed merges, and the end flag (2):
// (2 + 4 + 8) x 2 = 28
using net = dense_block<int_range<1, 3>, flag, dense<choice<32, 64>, relu>, concat>;
static_assert(space_size<net> == 28);
}  // namespace dense_block_zero_count

namespace dense_block_end_not_boolean {  // counts {2, 3} x end flag 2: 4
using net = dense_block<choice<2, 3>, flag, dense<choice<32>, relu>, concat>;
static_assert(space_size<net> == 4);
}  // namespace dense_block_end_not_boolean

namespace dag_cell_node_count {
// Node 1: inputs {node 0} (1) x op (2); node 2: inputs any non-empty subset of {0, 1} (3) x op (2):
// 2 x 6 = 12
using conv = conv2d<choice<16>, choice<3>, choice<1>, same, relu>;
using net = dag_cell<2, add, conv, identity>;
static_assert(space_size<net> == 12);
}  // namespace dag_cell_node_count

namespace dag_cell_no_ops {  // node i: (2^i - 1) subsets x 2 ops: 2 x 6 x 14 = 168
using conv = conv2d<choice<16>, choice<3>, choice<1>, same, relu>;
using net = dag_cell<3, add, conv, identity>;
static_assert(space_size<net> == 168);
}  // namespace dag_cell_no_ops

namespace dag_cell_combine_with_hyperparameters {
// Ops: conv3 (2 widths) or conv1 (2 widths) = 4 per node: (1 x 4) x (3 x 4) x (7 x 4) = 1344
using conv3 = conv2d<choice<16, 32>, choice<3>, choice<1>, same, relu>;
using conv1 = conv2d<choice<16, 32>, choice<1>, choice<1>, same, relu>;
using net = dag_cell<3, add, conv3, conv1>;
static_assert(space_size<net> == 1344);
}  // namespace dag_cell_combine_with_hyperparameters

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

// ---- ops, spaces, sizes --------------------------------------------------------------------

namespace param_not_a_hyperparameter {  // factor {2, 4}: 2
struct my_scale {
  static constexpr std::string_view name = "my_scale";
  using params = darch::params<param<"factor", choice<2, 4>>>;
};
using net = seq<dense<choice<64>>, my_scale>;
static_assert(space_size<net> == 2);
}  // namespace param_not_a_hyperparameter

namespace op_too_many_hyperparameters {  // 8 two-way hyperparameters: 2^8 = 256
struct my_block {
  static constexpr std::string_view name = "my_block";
  using params =
      darch::params<param<"p0", choice<1, 2>>, param<"p1", choice<1, 2>>, param<"p2", choice<1, 2>>,
                    param<"p3", choice<1, 2>>, param<"p4", choice<1, 2>>, param<"p5", choice<1, 2>>,
                    param<"p6", choice<1, 2>>, param<"p7", choice<1, 2>>>;
};
static_assert(space_size<my_block> == 256);
}  // namespace op_too_many_hyperparameters

namespace not_a_space {  // units {64, 128} x batch_norm 1: 2
using net = seq<dense<choice<64, 128>, relu>, batch_norm>;
static_assert(space_size<net> == 2);
}  // namespace not_a_space

namespace space_size_overflow {
// 14 layers at most fit in 64 bits: sum over n = 1..14 of 21^n = (21^15 - 21) / 20
// = 3,406,115,929,147,584,114 (< 2^64 = 18,446,744,073,709,551,616).
using net = repeat<int_range<1, 14>, dense<pow2_range<1, 1 << 20>, relu>>;
static_assert(space_size<net> == 3406115929147584114u);
// The 40-layer space in 128 bits: 21^40 > 2^128, so space_size_wide saturates at 2^128 - 1.
using wide = repeat<int_range<1, 40>, dense<pow2_range<1, 1 << 20>, relu>>;
static_assert(space_size_wide<wide> == ~decltype(space_size_wide<wide>){0});
}  // namespace space_size_overflow

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
