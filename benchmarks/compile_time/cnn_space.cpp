// SPDX-License-Identifier: MIT
// Compile-time benchmark: a CNN space of about 5.8e33 architectures (a stem, 1-3 repeated
// NAS-Bench-101-style DAG cells of 5 nodes, an optional split-combine of 1-3 branches over four
// ops, a residual block, a head), with the shape check from a 3x32x32 input. Timed by
// scripts/compile-time.sh; the point is that compile cost follows the size of the type, not the
// number of architectures.
#include <cstdio>

#include "darch/space.hpp"

namespace cnn {
using namespace darch;
using conv = conv2d<choice<32>, choice<1, 3, 5>, choice<1>, same, one_of<relu, gelu>>;
using op = or_<conv, max_pool<choice<1>, choice<1>>, identity, seq<conv, batch_norm>>;
using cell = named<"cell", dag_cell<5, add, conv2d<choice<32>, choice<1, 3>, choice<1>, same, relu>,
                                    max_pool<choice<1>, choice<1>>, identity>>;
using stem = conv2d<choice<32>, choice<3>, choice<1>, same, relu>;
using net =
    seq<stem, repeat<choice<1, 2, 3>, cell>, optional<split_combine<choice<1, 2, 3>, op, add>>,
        cell, residual<seq<op, op>, identity, add>, global_avg_pool, dense<choice<10>, softmax>>;
using space = with_input_shape<net, 3, 32, 32>;
}  // namespace cnn

int main() { std::printf("%.3g\n", static_cast<double>(darch::space_size_wide<cnn::space>)); }
