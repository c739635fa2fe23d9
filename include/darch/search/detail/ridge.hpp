// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::search::detail::sparse_ridge`: ridge regression with an unpenalised
/// intercept over sparse count features, grown one sample at a time (the hashing surrogate's
/// model).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace darch::search::detail {

/// One sample's features: the buckets it touches, sorted and distinct, with their counts.
struct sparse_counts {
  std::vector<std::uint32_t> bucket;
  std::vector<double> count;

  /// Counts `hashes` into `buckets` buckets (`hash % buckets`), sorted by bucket.
  static sparse_counts from_hashes(std::span<const std::uint64_t> hashes, std::uint32_t buckets);
};

/// Ridge regression `min ||X w + b 1 - y||^2 + alpha ||w||^2` (the intercept b is not
/// penalised) over rows of sparse counts, solved in the dual.
///
/// Why the dual: a search tells a few hundred to a few thousand results, while the feature
/// space has thousands of buckets, so the n x n system beats the d x d one, and it grows by one
/// row per sample. With an unpenalised intercept the dual is the bordered system
///
///     [K + alpha I   1] [beta]   [y]
///     [1^T           0] [ b  ] = [0],     K = X X^T,   w = X^T beta,
///
/// whose solution follows from the Cholesky factor L of A = K + alpha I and the two vectors
/// z_y = L^-1 y and z_1 = L^-1 1: b = (z_1 . z_y) / (z_1 . z_1), beta = L^-T (z_y - b z_1).
/// A new sample appends one row to L, z_y and z_1 (one forward substitution, O(n^2)), so `add`
/// costs O(n^2 + n nnz) and `fit` O(n^2 + n nnz + d); nothing is ever refactored. The Schur
/// complement that becomes the new diagonal entry is at least alpha in exact arithmetic (K is
/// positive semi-definite), which is also the floor that rounding is clamped to: duplicate
/// samples and hash collisions cannot break the factorisation.
class sparse_ridge {
 public:
  /// `dimension` buckets; `alpha` > 0 (throws std::invalid_argument otherwise).
  sparse_ridge(std::uint32_t dimension, double alpha);

  /// Appends a sample (its buckets must be below `dimension`; `y` finite) and extends the
  /// factorisation. The weights change only at the next `fit`.
  void add(sparse_counts x, double y);

  /// Recomputes the weights and intercept from every sample added so far (no-op when there
  /// are none).
  void fit();

  /// `b + w . x` for the features `hashes` (each adds its bucket's weight once), with the
  /// weights of the last `fit`.
  double predict(std::span<const std::uint64_t> hashes) const noexcept;

  std::size_t size() const noexcept { return y_.size(); }
  std::uint32_t dimension() const noexcept { return dimension_; }
  double alpha() const noexcept { return alpha_; }
  /// The weights and intercept of the last `fit`.
  const std::vector<double>& weights() const noexcept { return w_; }
  double intercept() const noexcept { return b_; }

 private:
  double& l(std::size_t i, std::size_t j) noexcept { return factor_[i * (i + 1) / 2 + j]; }
  double l(std::size_t i, std::size_t j) const noexcept { return factor_[i * (i + 1) / 2 + j]; }

  std::uint32_t dimension_;
  double alpha_;
  std::vector<sparse_counts> x_;
  std::vector<double> y_;
  std::vector<double> factor_;  // L, lower triangle packed by rows (append-only)
  std::vector<double> z_y_, z_1_;
  std::vector<double> w_;
  double b_ = 0;
  std::vector<double> dense_;  // scratch: one row scattered over the buckets
};

}  // namespace darch::search::detail
