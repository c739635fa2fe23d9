// SPDX-License-Identifier: MIT
// The positive side of tests/compile_fail, for the misuses of domains, built-in ops, combinators,
// user ops and sizes: for every one, the nearest correct space, which must compile, with its size
// worked out by hand. Each namespace is named after the compile_fail case it answers
// (tests/compile_fail/<name>.fail.cpp; pending/ for the ones the library cannot diagnose yet).
// diagnostics_ok_names_shapes.static.cpp answers the rest. See docs/diagnostics.md.
//
// How the sizes are counted here and there (docs/space-language.md, "What is counted"):
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

}  // namespace darch_diagnostics_ok
