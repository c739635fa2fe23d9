// SPDX-License-Identifier: MIT
// with_input_shape on valid spaces: the shape check accepts them and keeps their size, constrained
// spaces included; shared names that change no shape are tried op by op, not jointly.
#include <cstdint>

#include "darch/space.hpp"
#include "support/catch.hpp"
#include "support/small_spaces.hpp"

namespace {

using namespace darch::testing::small_spaces;
using darch::space_size;

}  // namespace

TEST_CASE("with_input_shape: valid spaces keep their size", "[space]") {
  using darch::compiled_space;
  using darch::conv2d;
  using darch::optional;
  using darch::residual;
  using darch::seq;
  using darch::split_combine;
  using darch::with_input_shape;
  // MLP on a flat 784 input: 2.
  using mlp = seq<dense<choice<8, 16>, darch::relu>, dense<choice<10>, darch::softmax>>;
  STATIC_REQUIRE(compiled_space<with_input_shape<mlp, 784>>::ok);
  STATIC_REQUIRE(space_size<with_input_shape<mlp, 784>> == 2);
  // conv (filters 2 x kernel 2 x stride 2 x padding 2 = 16) -> pool -> flatten -> dense on
  // 3x32x32: the smallest map is valid 5x5 stride 2: 14x14, pooled 7x7 - valid everywhere.
  using cnn =
      seq<conv2d<choice<8, 16>, choice<3, 5>, choice<1, 2>, one_of<darch::same, darch::valid>>,
          darch::max_pool<>, darch::flatten, dense<choice<10>>>;
  STATIC_REQUIRE(compiled_space<with_input_shape<cnn, 3, 32, 32>>::ok);
  STATIC_REQUIRE(space_size<with_input_shape<cnn, 3, 32, 32>> == 16);
  STATIC_REQUIRE(space_size<with_input_shape<cnn, 3, 32, 32>> == space_size<cnn>);
  // Residual add on images, channel count kept: 1 x (1 + 1) = 2.
  using res = residual<conv2d<choice<3>>, optional<darch::batch_norm>, add>;
  STATIC_REQUIRE(compiled_space<with_input_shape<res, 3, 8, 8>>::ok);
  STATIC_REQUIRE(space_size<with_input_shape<res, 3, 8, 8>> == 2);
  // split_combine + concat on images: 2 + 4 = 6.
  using sc = split_combine<choice<1, 2>, conv2d<choice<4, 8>>, concat>;
  STATIC_REQUIRE(space_size<with_input_shape<sc, 3, 16, 16>> == 6);
  // dag_cell with add on a flat input (ops keep the shape): 567 (as above).
  using cell = darch::dag_cell<3, add, dropout<choice<0.1, 0.2>>, identity>;
  STATIC_REQUIRE(compiled_space<with_input_shape<cell, 32>>::ok);
  STATIC_REQUIRE(space_size<with_input_shape<cell, 32>> == 567);
  // dense_block with concat on images: (1 + 1) x 2 = 4.
  using db = darch::dense_block<choice<1, 2>, flag, conv2d<choice<4>>, concat>;
  STATIC_REQUIRE(space_size<with_input_shape<db, 3, 8, 8>> == 4);
  // Constrained and shaped at once: w x d <= 32 as above, on a flat input: 22.
  constexpr auto small = [](std::int64_t ww, std::int64_t dd) { return ww * dd <= 32; };
  using body = seq<dense<darch::shared<"w", choice<8, 16, 32>>>,
                   darch::repeat<darch::shared<"d", choice<1, 2, 3>>, dropout<choice<0.1, 0.5>>>>;
  using both = darch::constrained<with_input_shape<body, 20>, darch::constraint<small, "w", "d">>;
  STATIC_REQUIRE(compiled_space<both>::ok);
  STATIC_REQUIRE(space_size<both> == 22);
}

TEST_CASE("with_input_shape: many shared names that do not change shapes", "[space]") {
  // u feeds both branches of a residual add, so the branches always agree. Ten shared dropout
  // rates that change no shape: 2 x 2^10 = 2048 joint points, all checked jointly.
  using u = darch::shared<"u", choice<8, 16>>;
  using S = darch::seq<dense<u>, darch::residual<dense<u>, dense<u>, add>,
                       dropout<darch::shared<"r0", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r1", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r2", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r3", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r4", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r5", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r6", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r7", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r8", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r9", choice<0.1, 0.2>>>>;
  STATIC_REQUIRE(darch::compiled_space<darch::with_input_shape<S, 10>>::ok);
  STATIC_REQUIRE(space_size<darch::with_input_shape<S, 10>> == 2048);
}

TEST_CASE("space: shared names read by one op are tried op by op in the shape check", "[space]") {
  // 13 shared rates each read once (2^13 values) and `u` read three times: only `u` is tried
  // jointly, so the residual's branches agree and the valid space compiles.
  using u = darch::shared<"u", choice<8, 16>>;
  using S = darch::seq<dense<u>, darch::residual<dense<u>, dense<u>, add>,
                       dropout<darch::shared<"r0", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r1", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r2", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r3", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r4", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r5", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r6", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r7", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r8", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r9", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r10", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r11", choice<0.1, 0.2>>>,
                       dropout<darch::shared<"r12", choice<0.1, 0.2>>>>;
  STATIC_REQUIRE(darch::compiled_space<darch::with_input_shape<S, 10>>::ok);
  STATIC_REQUIRE(space_size<darch::with_input_shape<S, 10>> == 2 * 8192);
}
