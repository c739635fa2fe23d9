// SPDX-License-Identifier: MIT
// The space language from an installed darch, header-only: a space type, its compile-time checks
// and exact size, and its run-time handle.
#include <darch/space.hpp>
#include <darch/space/space_ref.hpp>

#include <cstdio>

using act = darch::shared<"act", darch::one_of<darch::relu, darch::sigmoid>>;
using cell = darch::seq<darch::dense<darch::choice<256, 512, 1024>, act>,
                        darch::optional<darch::flag, darch::dropout<darch::choice<0.2, 0.5, 0.7>>>>;
using mlp = darch::seq<darch::repeat<darch::choice<1, 2, 4>, cell>,
                       darch::dense<darch::choice<10>, darch::softmax>>;
static_assert(darch::space_size<darch::with_input_shape<mlp, 784>> == 41'784);

int main() {
  constexpr darch::space_ref space = darch::space_of<darch::with_input_shape<mlp, 784>>();
  std::printf("the README space has %llu architectures\n",
              static_cast<unsigned long long>(space.size()));
  return space.size() == 41'784 ? 0 : 1;
}
