// SPDX-License-Identifier: MIT
// Trains every architecture of a small space on the blobs dataset with the evaluator (20 epochs,
// batch 32, Adam at 1e-2) and checks that each one learns it: how a test shows an op works in
// darch's trainer, not just in its kernels.
#pragma once

#include "darch/arch/graph.hpp"
#include "darch/arch/rank.hpp"
#include "darch/space/space_ref.hpp"
#include "darch/train/evaluator.hpp"
#include "support/blobs.hpp"
#include "support/catch.hpp"

namespace darch::testing {

inline void check_every_architecture_learns(space_ref space) {
  train::evaluation_config c;
  c.limit.epochs = 20;
  c.batch_size = 32;
  c.optimizer.learning_rate = 1e-2;
  for_each_assignment(space, [&](const assignment& a) {
    const train::metrics m =
        train::evaluate(materialize(space, a), blobs(512, 1), blobs(256, 2), {}, c);
    INFO(m.message);
    REQUIRE(m.status == train::evaluation_status::ok);
    CHECK(m.validation_accuracy > 0.9);
  });
}

}  // namespace darch::testing
