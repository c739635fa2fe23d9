// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::tune::problem_key`: a kernel problem's sizes and attributes (m, n, k; type,
/// layout), written canonically for the results database and parsed back, with the distance
/// that tuned dispatch uses to pick the nearest stored problem when the exact one was never
/// tuned.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

namespace darch::tune {

struct problem_key {
  std::map<std::string, std::int64_t, std::less<>> sizes;      ///< e.g. m=128, n=512, k=784
  std::map<std::string, std::string, std::less<>> attributes;  ///< e.g. type=f32, layout=nt

  /// "k=784,layout=nt,m=128,n=512,type=f32": every field as name=value, sorted by name, sizes as
  /// decimal integers. Names and attribute values may not contain ',' or '='.
  std::string text() const;

  /// The inverse of text(); throws std::invalid_argument naming the text and the field for a
  /// malformed one (no '=', an empty or repeated name, a size that is not an integer, a size
  /// that is not positive where a name says it is a size: the fields whose value starts with a
  /// digit or a '-' are sizes).
  static problem_key parse(std::string_view text);

  /// Throws std::invalid_argument, naming `kernel`, unless the sizes are exactly `names`: "needs
  /// size k" for a missing one, "has no size q (its sizes: m, n, k)" for an unknown one.
  void require_sizes(std::initializer_list<std::string_view> names, std::string_view kernel) const;

  /// Size `name` (present: require_sizes first).
  std::int64_t size(std::string_view name) const { return sizes.find(name)->second; }

  /// How far `other` is from this problem: the sum over sizes of |log2(mine / theirs)|, or
  /// infinity when the attributes or the size names differ (a kernel tuned for another type or
  /// layout is no guide).
  double distance(const problem_key& other) const;
};

}  // namespace darch::tune
