// SPDX-License-Identifier: MIT
/// @file
/// Defines the port lists the walker passes between parts of a space while it builds a graph.
#pragma once

#include <cstdint>
#include <stdexcept>

namespace darch::detail {

/// The producers feeding a part of an architecture: graph vertices, in port order.
struct port_list {
  static constexpr std::uint32_t capacity = 64;
  std::uint32_t n = 0;
  std::int32_t ids[capacity]{};

  constexpr std::uint32_t size() const noexcept { return n; }
  constexpr std::int32_t operator[](std::uint32_t i) const noexcept { return ids[i]; }
  constexpr void push(std::int32_t id) {
    if (n == capacity) throw std::length_error("darch: more than 64 ports meet at one op");
    ids[n++] = id;
  }
  constexpr void append(const port_list& o) {
    for (std::uint32_t i = 0; i < o.n; ++i) push(o.ids[i]);
  }
  static constexpr port_list of(std::int32_t id) {
    port_list p;
    p.push(id);
    return p;
  }
};

/// The port list of a walk that builds nothing: every operation is free.
struct no_ports {
  constexpr std::uint32_t size() const noexcept { return 0; }
  constexpr std::int32_t operator[](std::uint32_t) const noexcept { return -1; }
  constexpr void push(std::int32_t) noexcept {}
  constexpr void append(const no_ports&) noexcept {}
  static constexpr no_ports of(std::int32_t) noexcept { return {}; }
};

}  // namespace darch::detail
