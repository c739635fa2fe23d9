// SPDX-License-Identifier: MIT
// A fixed hash of a compiled space's table, so that a search log recognises its space.
#include "darch/log/space_fingerprint.hpp"

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "darch/space/detail/table.hpp"

namespace darch {
namespace {

/// FNV-1a, 64 bits, fed a fixed little-endian serialisation: the same table gives the same
/// hash on every build and platform. (Never pointers: a table's function pointers and string
/// addresses change from build to build.)
class fnv1a {
 public:
  void byte(std::uint8_t b) noexcept {
    h_ ^= b;
    h_ *= 0x100000001b3ull;
  }
  void word(std::uint64_t w) noexcept {
    for (int i = 0; i < 8; ++i) byte(static_cast<std::uint8_t>(w >> (8 * i)));
  }
  void text(std::string_view s) noexcept {
    word(s.size());  // the length first, so that ("ab", "c") and ("a", "bc") differ
    for (const char c : s) byte(static_cast<std::uint8_t>(c));
  }
  void val(const value& v) noexcept {
    word(static_cast<std::uint64_t>(v.kind));
    switch (v.kind) {
      case value_kind::real: word(std::bit_cast<std::uint64_t>(v.real)); break;
      case value_kind::text:
      case value_kind::type: text(v.text); break;
      default: word(static_cast<std::uint64_t>(v.integer)); break;
    }
  }
  std::uint64_t get() const noexcept { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ull;
};

void hash_domain(fnv1a& h, const detail::table_view& t, std::uint32_t d) noexcept {
  const detail::domain_info& info = t.domain(d);
  h.word(info.size);
  for (std::uint32_t k = 0; k < info.size; ++k) h.val(t.domain_value(d, k));
}

}  // namespace

std::uint64_t space_fingerprint(space_ref space) noexcept {
  const detail::table_view& t = detail::table_of(space);
  fnv1a h;
  h.text("darch space table v1");
  h.word(t.node_count);
  h.word(t.root);
  // Params are hashed where nodes refer to them, domains where params refer to them: what is
  // reachable from the tree is what defines the space, and array positions are then implied.
  for (std::uint32_t i = 0; i < t.node_count; ++i) {
    const detail::node_info& n = t.node(i);
    h.word(static_cast<std::uint64_t>(n.kind));
    h.text(n.label);
    h.word(n.child_count);
    for (std::uint32_t k = 0; k < n.child_count; ++k) h.word(t.child(n, k));
    if (n.op != nullptr) {
      h.text(n.op->name);
      h.word(static_cast<std::uint64_t>(static_cast<std::int64_t>(n.op->arity)));
      h.word(n.op->variant_count);
    } else {
      h.text("");
    }
    h.word(n.param_count);
    for (std::uint32_t p = 0; p < n.param_count; ++p) {
      const detail::param_info& param = t.param(n.first_param + p);
      h.text(param.name);
      h.word(static_cast<std::uint64_t>(param.kind));
      switch (param.kind) {
        case detail::param_kind::dependent:
          h.word(param.parent_count);
          for (std::uint32_t q = 0; q < param.parent_count; ++q)
            h.word(t.parents[param.shared_slot + q]);
          break;
        case detail::param_kind::shared:
          h.word(param.shared_slot);
          hash_domain(h, t, param.domain);
          break;
        default: hash_domain(h, t, param.domain); break;
      }
    }
  }
  h.word(t.shared_count);
  for (std::size_t s = 0; s < t.shared_count; ++s) {
    const detail::shared_info& info = t.shared[s];
    h.text(info.name);
    hash_domain(h, t, info.domain);
    h.word(info.structural ? 1 : 0);
    h.word(info.bit);
  }
  h.word(t.constraint_count);
  for (std::size_t c = 0; c < t.constraint_count; ++c) {
    const detail::constraint_info& info = t.constraints[c];
    h.word(info.name_count);
    for (std::uint32_t k = 0; k < info.name_count; ++k)
      h.word(t.constraint_names[info.first_name + k]);
  }
  h.word(static_cast<std::uint64_t>(space.size_wide()));
  h.word(static_cast<std::uint64_t>(space.size_wide() >> 64));
  return h.get();
}

std::string space_fingerprint_hex(space_ref space) {
  static constexpr char digits[] = "0123456789abcdef";
  const std::uint64_t f = space_fingerprint(space);
  std::string out(16, '0');
  for (int i = 0; i < 16; ++i) out[15 - i] = digits[(f >> (4 * i)) & 0xf];
  return out;
}

std::string space_size_string(space_ref space) {
  uint128 n = space.size_wide();
  if (n == 0) return "0";
  std::string out;
  while (n != 0) {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(n % 10)));
    n /= 10;
  }
  return out;
}

}  // namespace darch
