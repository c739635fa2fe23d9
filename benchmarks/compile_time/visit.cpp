// SPDX-License-Identifier: MIT
// Compile-time benchmark: darch::visit over a space of 5^DARCH_VISIT_LAYERS architectures
// (that many dense layers of 16 units, each with one of five activations), the visitor
// instantiated once per architecture. DARCH_VISIT_STATIC=1 makes the visitor build and run a static
// network (the heavy, realistic case); 0 reads a constant of the type (the dispatch's own cost).
//   for n in 1 2 3 4 5; do /usr/bin/time -f "%e s %M KB" g++ -std=c++20 -O2 \
//     -DDARCH_VISIT_LAYERS=$n -Iinclude -Ibuild/dev/include -c benchmarks/compile_time/visit.cpp;
//     done
#include <cstdint>
#include <cstdio>
#include <type_traits>
#include <utility>
#include <vector>

#include "darch/fixed/static_network.hpp"
#include "darch/fixed/visit.hpp"
#include "darch/space.hpp"

#ifndef DARCH_VISIT_LAYERS
#define DARCH_VISIT_LAYERS 3
#endif
#ifndef DARCH_VISIT_STATIC
#define DARCH_VISIT_STATIC 0
#endif

using layer =
    darch::dense<darch::choice<16>, darch::one_of<darch::linear, darch::relu, darch::sigmoid,
                                                  darch::tanh, darch::gelu>>;
template <std::size_t... I>
auto layers(std::index_sequence<I...>)
    -> darch::seq<std::conditional_t<true, layer, decltype(I)>...,
                  darch::dense<darch::choice<10>, darch::softmax>>;
using space =
    darch::with_input_shape<decltype(layers(std::make_index_sequence<DARCH_VISIT_LAYERS>{})), 16>;
static_assert(darch::visit_count<space> == darch::space_size<space>);

std::size_t parameters(const darch::assignment& a) {
  return darch::visit<space>(a, []<class A>(A) -> std::size_t {
#if DARCH_VISIT_STATIC
    darch::static_network<A> net(1);
    float x[16]{}, p[10]{};
    net.predict(x, 1, p);
    return darch::static_network<A>::parameter_count;
#else
    return A::op_count;
#endif
  });
}

int main() {
  std::printf("%zu\n",
              parameters(darch::assignment{std::vector<std::uint32_t>(DARCH_VISIT_LAYERS, 0)}));
}
