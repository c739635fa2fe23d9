// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::views::assignments` (every assignment of a space, in rank order) and
/// `darch::views::samples` (an endless stream of seeded samples): lazy range-v3 views that
/// compose with a user's own pipeline.
///
///     for (const darch::assignment& a : darch::views::assignments(space)
///                                         | ranges::views::filter(is_small)
///                                         | ranges::views::take(10))
///       ...
///
/// This is the only header of `arch/` that includes range-v3 (and only its view facade): the
/// rest of the run-time side stays plain functions (docs/design.md, "Where range-v3 is used").
/// Include the adaptors you pipe into (`<range/v3/view/filter.hpp>`, ...) yourself.
#pragma once

#include <cstdint>
#include <vector>

#include <range/v3/iterator/unreachable_sentinel.hpp>
#include <range/v3/view/facade.hpp>

#include "darch/arch/assignment.hpp"
#include "darch/arch/sample.hpp"
#include "darch/core/random.hpp"
#include "darch/space/space_ref.hpp"

namespace darch {
namespace detail {

/// Sets `a` to the first assignment of `space` in rank order that keeps its constraints and
/// `sizes` to the domain size of each of its decisions (one walk, more if constraints reject
/// the first ones). Returns false if there is none.
bool first_assignment(space_ref space, assignment& a, std::vector<std::uint32_t>& sizes);

/// Moves `a` (with `sizes` as `first_assignment` left them) to the next assignment in rank
/// order that keeps the constraints, without unranking: the last decision that can still grow
/// grows, the decisions after it are dropped and the walk completes them with first values.
/// Returns false when `a` was the last.
bool next_assignment(space_ref space, assignment& a, std::vector<std::uint32_t>& sizes);

/// Sets `a` to the assignment of rank `index` (< space.size()) and `sizes` to its domain sizes.
void seek_assignment(space_ref space, std::uint64_t index, assignment& a,
                     std::vector<std::uint32_t>& sizes);

/// Throws std::domain_error (as `rank` does) unless the space has fewer than 2^64 assignments.
void require_rankable(space_ref space, const char* what);

/// Throws std::logic_error: the stepping and the count of a space disagree (a bug in darch).
[[noreturn]] void throw_enumeration_bug();

}  // namespace detail

/// The assignments of a space in rank order (the order of `for_each_assignment` and `rank`),
/// produced one at a time. A random-access, sized, common range-v3 view:
///
/// - stepping forward (`++it`) moves to the next assignment in one walk (the stepping of
///   `for_each_assignment`: no unranking; more walks only where constraints reject some), so
///   `take(n)` costs n walks whatever the space's size;
/// - jumping (`it + n`, `--it`, `drop`, `stride`, `reverse`) unranks the target once (a jump of
///   up to 8 forward is taken as steps);
/// - `size()` is the space's exact size, without enumerating anything.
///
/// Dereferencing yields the assignment by value (a copy of the iterator's current one), so that
/// two equal iterators never hand out the same object that one of them later overwrites.
/// Iterator differences are `std::int64_t`: spaces of 2^63 or more assignments enumerate, but
/// a distance past 2^63 - 1 overflows. Constructing the view walks nothing; `begin()` walks once.
class assignment_view : public ranges::view_facade<assignment_view, ranges::finite> {
 public:
  assignment_view() = default;
  /// Throws std::domain_error if `space` has 2^64 or more assignments (no rank fits in 64 bits).
  explicit assignment_view(space_ref space) : space_(space) {
    detail::require_rankable(space, "views::assignments");
  }

  /// The exact number of assignments: `space.size()`.
  std::uint64_t size() const noexcept { return space_.size(); }
  space_ref space() const noexcept { return space_; }

 private:
  friend ranges::range_access;

  /// Where an iterator is: its rank, and, unless it is past the end, the assignment of that
  /// rank with its domain sizes (the state the next step starts from).
  class cursor {
   public:
    cursor() = default;
    cursor(space_ref space, std::uint64_t index, bool at_end) : space_(space), index_(index) {
      if (!at_end && index_ < space_.size()) load();
    }

    assignment read() const { return current_; }
    bool equal(const cursor& other) const noexcept { return index_ == other.index_; }
    std::int64_t distance_to(const cursor& other) const noexcept {
      return static_cast<std::int64_t>(other.index_ - index_);
    }
    void next() {
      ++index_;
      if (index_ >= space_.size()) return;  // at the end: nothing to walk
      if (!detail::next_assignment(space_, current_, sizes_)) detail::throw_enumeration_bug();
    }
    void prev() { advance(-1); }
    void advance(std::int64_t n) {
      if (n >= 0 && n <= short_jump) {  // a few steps cost fewer walks than an unrank
        while (n-- > 0) next();
        return;
      }
      index_ += static_cast<std::uint64_t>(n);
      if (index_ < space_.size()) detail::seek_assignment(space_, index_, current_, sizes_);
    }

   private:
    static constexpr std::int64_t short_jump = 8;

    void load() {
      if (index_ == 0) {
        if (!detail::first_assignment(space_, current_, sizes_)) detail::throw_enumeration_bug();
      } else {
        detail::seek_assignment(space_, index_, current_, sizes_);
      }
    }

    space_ref space_{};
    std::uint64_t index_ = 0;
    assignment current_;
    std::vector<std::uint32_t> sizes_;
  };

  cursor begin_cursor() const { return {space_, 0, false}; }
  cursor end_cursor() const { return {space_, space_.size(), true}; }

  space_ref space_{};
};

/// An endless stream of assignments drawn with `sample` (decision by decision, DeepArchitect's
/// semantics) from `rng(seed)`: the same seed gives the same stream, and iterating the view
/// twice gives the same stream twice (each iterator carries its own generator). A forward,
/// infinite view; works on spaces of any size.
class sample_view : public ranges::view_facade<sample_view, ranges::infinite> {
 public:
  sample_view() = default;
  sample_view(space_ref space, std::uint64_t seed) noexcept : space_(space), seed_(seed) {}

  space_ref space() const noexcept { return space_; }
  std::uint64_t seed() const noexcept { return seed_; }

 private:
  friend ranges::range_access;

  class cursor {
   public:
    cursor() = default;
    cursor(space_ref space, std::uint64_t seed) : space_(space), gen_(seed) { next(); }

    assignment read() const { return current_; }
    bool equal(const cursor& other) const noexcept { return drawn_ == other.drawn_; }
    void next() {
      sample(space_, gen_, current_);
      ++drawn_;
    }

   private:
    space_ref space_{};
    rng gen_;
    std::uint64_t drawn_ = 0;
    assignment current_;
  };

  cursor begin_cursor() const { return {space_, seed_}; }
  ranges::unreachable_sentinel_t end_cursor() const noexcept { return {}; }

  space_ref space_{};
  std::uint64_t seed_ = 0;
};

namespace views {

/// Every assignment of `space`, lazily, in rank order (see `assignment_view`). Throws
/// std::domain_error if the space has 2^64 or more assignments.
inline assignment_view assignments(space_ref space) { return assignment_view{space}; }

/// Seeded samples of `space`, lazily and without end (see `sample_view`); bound it with
/// `ranges::views::take`.
inline sample_view samples(space_ref space, std::uint64_t seed) { return {space, seed}; }

}  // namespace views
}  // namespace darch
