// SPDX-License-Identifier: MIT
// A whole-network gradient check on the CPU engine: the analytic gradient of every k-th
// parameter against a central difference of the loss.
#pragma once

#include <cmath>
#include <cstdint>
#include <span>
#include <vector>

#include "darch/exec/network.hpp"
#include "support/catch.hpp"

namespace darch::testing {

/// Mean loss of the network at its current parameters.
inline double loss_at(exec::network& net, const std::vector<float>& x,
                      const std::vector<std::int32_t>& y, std::int64_t batch) {
  return net.forward_backward(x.data(), y.data(), batch, 0);
}

/// Compares the analytic gradient of every k-th parameter with a central difference.
inline void check_gradients(exec::network& net, const std::vector<float>& x,
                            const std::vector<std::int32_t>& y, std::int64_t batch,
                            std::size_t stride = 1) {
  (void)loss_at(net, x, y, batch);
  const std::vector<float> analytic(net.gradients().begin(), net.gradients().end());
  std::span<float> p = net.parameters();
  const double h = 1e-2;
  std::size_t checked = 0, bad = 0;
  for (std::size_t i = 0; i < p.size(); i += stride) {
    const float saved = p[i];
    p[i] = static_cast<float>(saved + h);
    const double up = loss_at(net, x, y, batch);
    p[i] = static_cast<float>(saved - h);
    const double down = loss_at(net, x, y, batch);
    p[i] = saved;
    const double numeric = (up - down) / (2 * h);
    const double err = std::abs(numeric - analytic[i]);
    ++checked;
    if (err > 2e-3 + 5e-2 * std::abs(numeric)) {
      ++bad;
      UNSCOPED_INFO("parameter " << i << ": analytic " << analytic[i] << ", numeric " << numeric);
    }
  }
  CHECK(checked > 0);
  CHECK(bad == 0);
}

}  // namespace darch::testing
