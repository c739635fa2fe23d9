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
/// penalised) over rows of sparse counts, kept exactly solved as samples arrive, in whichever
/// of two forms is smaller.
///
/// Both forms are a Cholesky factor grown or updated in O(size^2) per sample, never refactored:
///
/// - **Dual** (n x n, n samples): while there are fewer samples than distinct features (early
///   in a search, or a large space whose features keep growing). With an unpenalised intercept
///   the dual is the bordered system [K + alpha I, 1; 1^T, 0] [beta; b] = [y; 0], K = X X^T,
///   w = X^T beta. With L the factor of A = K + alpha I, z_y = L^-1 y and z_1 = L^-1 1:
///   b = (z_1 . z_y) / (z_1 . z_1) and beta = L^-T (z_y - b z_1). A sample appends one row to
///   L, z_y and z_1 (one forward substitution). The new diagonal entry is a Schur complement,
///   at least alpha in exact arithmetic (K is positive semi-definite), which is also the floor
///   rounding is clamped to: duplicates and hash collisions cannot break the factorisation.
/// - **Primal** (m x m, m = 1 + distinct buckets seen): once samples outnumber features (a
///   space like readme_mlp has about a hundred), so that the cost stops growing with the
///   number of results. M = Z^T Z + diag(0, alpha, ..., alpha) with Z = [1 X] restricted to the
///   buckets seen; a sample is a rank-one update of M's factor, a bucket seen for the first
///   time a new row (its column of Z was zero, so its row of M is alpha on the diagonal).
///
/// The form switches by replaying the samples into the other: to the primal once m < n, back
/// to the dual if the features outgrow the samples twice over (m > 2n). The hysteresis keeps a
/// space whose features grow with its samples from switching back and forth; each switch costs
/// one O(size^3) replay, and n must double between two of them.
class sparse_ridge {
 public:
  /// `dimension` buckets; `alpha` > 0 (throws std::invalid_argument otherwise).
  sparse_ridge(std::uint32_t dimension, double alpha);

  /// Appends a sample (its buckets must be below `dimension`; `y` finite) and updates the
  /// factorisation. The weights change only at the next `fit`.
  void add(sparse_counts x, double y);

  /// Recomputes the weights and intercept from every sample added so far (no-op when there
  /// are none).
  void fit();

  /// `b + w . x` for the features `hashes` (each adds its bucket's weight once), with the
  /// weights of the last `fit`.
  double predict(std::span<const std::uint64_t> hashes) const noexcept;

  std::size_t size() const noexcept { return y_.size(); }
  /// Distinct buckets touched by the samples.
  std::size_t features() const noexcept { return bucket_of_.size() - 1; }
  /// Whether the primal form is in use.
  bool primal() const noexcept { return primal_; }
  std::uint32_t dimension() const noexcept { return dimension_; }
  double alpha() const noexcept { return alpha_; }
  /// The weights and intercept of the last `fit`.
  const std::vector<double>& weights() const noexcept { return w_; }
  double intercept() const noexcept { return b_; }

 private:
  void dual_extend(std::size_t n);    // sample n joins the dual factor
  void primal_extend(std::size_t i);  // sample i updates the primal factor
  void primal_grow(std::size_t m);    // the primal factor covers columns [0, m)
  void rebuild(bool primal);
  double& p(std::size_t i, std::size_t j) noexcept { return primal_l_[j * stride_ + i]; }

  std::uint32_t dimension_;
  double alpha_;
  std::vector<sparse_counts> x_;
  std::vector<double> y_;
  std::vector<std::uint32_t> column_;     // bucket -> primal column, 0 when unseen
  std::vector<std::uint32_t> bucket_of_;  // primal column -> bucket (column 0: the intercept)
  bool primal_ = false;
  // Dual form: L lower-triangular packed by rows (append-only), z_y, z_1.
  std::vector<double> dual_l_, z_y_, z_1_;
  // Primal form: L lower-triangular, column-major with `stride_` rows of capacity (a column
  // is contiguous, which both the rank-one update and the solves walk), and Z^T y.
  std::vector<double> primal_l_, rhs_;
  std::size_t stride_ = 0, order_ = 0;  // capacity and current order of the primal factor
  std::vector<double> w_;
  double b_ = 0;
  std::vector<double> dense_;  // scratch: one row scattered over the buckets
};

}  // namespace darch::search::detail
