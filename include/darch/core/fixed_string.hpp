// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::fixed_string`, a string usable as a template argument (names of shared
/// hyperparameters, text values in a domain).
#pragma once

#include <cstddef>
#include <string_view>

namespace darch {

/// A string literal held by value, so it can be a non-type template argument:
/// `darch::shared<"act", ...>`, `darch::choice<darch::fixed_string{"same"}, ...>`.
template <std::size_t N>
struct fixed_string {
  char data[N]{};

  constexpr fixed_string() noexcept = default;
  constexpr fixed_string(const char (&text)[N]) noexcept {
    for (std::size_t i = 0; i < N; ++i) data[i] = text[i];
  }
  constexpr std::string_view view() const noexcept { return {data, N - 1}; }
  constexpr operator std::string_view() const noexcept { return view(); }
  static constexpr std::size_t size() noexcept { return N - 1; }

  template <std::size_t M>
  constexpr bool operator==(const fixed_string<M>& other) const noexcept {
    return view() == other.view();
  }
};

template <std::size_t N>
fixed_string(const char (&)[N]) -> fixed_string<N>;

/// `text` as a `fixed_string<N>` (N = text.size() + 1), so that a string computed at compile
/// time can name things in diagnostics.
template <std::size_t N>
constexpr fixed_string<N> to_fixed_string(std::string_view text) noexcept {
  fixed_string<N> out;
  for (std::size_t i = 0; i + 1 < N && i < text.size(); ++i) out.data[i] = text[i];
  return out;
}

}  // namespace darch
