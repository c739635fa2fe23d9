// SPDX-License-Identifier: MIT
// The hashing surrogate and its incremental dual ridge solver.
#include "darch/search/surrogate.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "darch/search/detail/ridge.hpp"

namespace darch::search {
namespace detail {

sparse_counts sparse_counts::from_hashes(std::span<const std::uint64_t> hashes,
                                         std::uint32_t buckets) {
  std::vector<std::uint32_t> b(hashes.size());
  for (std::size_t i = 0; i < hashes.size(); ++i)
    b[i] = static_cast<std::uint32_t>(hashes[i] % buckets);
  std::sort(b.begin(), b.end());
  sparse_counts out;
  for (std::size_t i = 0; i < b.size();) {
    std::size_t j = i;
    while (j < b.size() && b[j] == b[i]) ++j;
    out.bucket.push_back(b[i]);
    out.count.push_back(static_cast<double>(j - i));
    i = j;
  }
  return out;
}

sparse_ridge::sparse_ridge(std::uint32_t dimension, double alpha)
    : dimension_(dimension),
      alpha_(alpha),
      column_(dimension, 0),
      bucket_of_(1, 0),
      w_(dimension, 0.0),
      dense_(dimension, 0.0) {
  if (dimension == 0) throw std::invalid_argument("sparse_ridge: the dimension must be positive");
  if (!(alpha > 0) || !std::isfinite(alpha))
    throw std::invalid_argument("sparse_ridge: alpha must be positive and finite, got " +
                                std::to_string(alpha));
}

void sparse_ridge::add(sparse_counts x, double y) {
  if (!std::isfinite(y))
    throw std::invalid_argument("sparse_ridge: a sample's value must be finite, got " +
                                std::to_string(y));
  if (x.bucket.size() != x.count.size())
    throw std::invalid_argument("sparse_ridge: buckets and counts differ in length");
  for (const std::uint32_t b : x.bucket)
    if (b >= dimension_)
      throw std::invalid_argument("sparse_ridge: bucket " + std::to_string(b) +
                                  " is outside the dimension " + std::to_string(dimension_));
  for (const std::uint32_t b : x.bucket)
    if (column_[b] == 0) {
      column_[b] = static_cast<std::uint32_t>(bucket_of_.size());
      bucket_of_.push_back(b);
    }
  x_.push_back(std::move(x));
  y_.push_back(y);
  const std::size_t n = y_.size(), m = bucket_of_.size();
  if (!primal_ && m < n) rebuild(true);
  else if (primal_ && m > 2 * n) rebuild(false);
  else if (primal_) primal_extend(n - 1);
  else dual_extend(n - 1);
}

void sparse_ridge::rebuild(bool primal) {
  primal_ = primal;
  if (primal) {
    std::vector<double>().swap(dual_l_);
    std::vector<double>().swap(z_y_);
    std::vector<double>().swap(z_1_);
    order_ = 0;
    stride_ = 0;
    primal_l_.clear();
    rhs_.clear();
    for (std::size_t i = 0; i < y_.size(); ++i) primal_extend(i);
  } else {
    std::vector<double>().swap(primal_l_);
    std::vector<double>().swap(rhs_);
    order_ = stride_ = 0;
    dual_l_.clear();
    z_y_.clear();
    z_1_.clear();
    for (std::size_t i = 0; i < y_.size(); ++i) dual_extend(i);
  }
}

void sparse_ridge::dual_extend(std::size_t n) {
  const sparse_counts& x = x_[n];
  // k = X_{0..n-1} x: one sparse dot per earlier sample against x scattered densely.
  double self = 0;
  for (std::size_t e = 0; e < x.bucket.size(); ++e) {
    dense_[x.bucket[e]] = x.count[e];
    self += x.count[e] * x.count[e];
  }
  dual_l_.resize(dual_l_.size() + n + 1);
  double* row = &dual_l_[n * (n + 1) / 2];
  for (std::size_t i = 0; i < n; ++i) {
    double dot = 0;
    const sparse_counts& xi = x_[i];
    for (std::size_t e = 0; e < xi.bucket.size(); ++e) dot += dense_[xi.bucket[e]] * xi.count[e];
    row[i] = dot;
  }
  for (const std::uint32_t b : x.bucket) dense_[b] = 0;

  // Forward substitution L l = k in place, then the new diagonal entry and the new entries of
  // z_y = L^-1 y and z_1 = L^-1 1.
  double norm = 0, dot_y = 0, dot_1 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double* li = &dual_l_[i * (i + 1) / 2];
    double s = row[i];
    for (std::size_t j = 0; j < i; ++j) s -= li[j] * row[j];
    row[i] = s / li[i];
    norm += row[i] * row[i];
    dot_y += row[i] * z_y_[i];
    dot_1 += row[i] * z_1_[i];
  }
  // The Schur complement (x.x + alpha) - l.l is >= alpha exactly; rounding may only lower it.
  const double d = std::sqrt(std::max(self + alpha_ - norm, alpha_));
  row[n] = d;
  z_y_.push_back((y_[n] - dot_y) / d);
  z_1_.push_back((1.0 - dot_1) / d);
}

void sparse_ridge::primal_grow(std::size_t m) {
  if (m > stride_) {
    // Reallocate with room to grow: a factor of m x m in a square of twice the capacity.
    const std::size_t cap = std::max<std::size_t>(2 * stride_, std::max<std::size_t>(m, 64));
    std::vector<double> l(cap * cap, 0.0);
    for (std::size_t j = 0; j < order_; ++j)
      std::copy_n(&primal_l_[j * stride_ + j], order_ - j, &l[j * cap + j]);
    primal_l_.swap(l);
    stride_ = cap;
  }
  // A bucket seen for the first time: its column of Z was zero, so its row of M is alpha on
  // the diagonal and 0 elsewhere, and so is the factor's (the entries below are zero already).
  // Column 0, the intercept, starts empty: the first sample fills it.
  for (std::size_t j = order_; j < m; ++j) p(j, j) = j == 0 ? 0.0 : std::sqrt(alpha_);
  rhs_.resize(m, 0.0);
  order_ = m;
}

void sparse_ridge::primal_extend(std::size_t i) {
  const sparse_counts& x = x_[i];
  const std::size_t m = bucket_of_.size();
  primal_grow(m);
  // z = [1, counts] over the columns; rhs += z y.
  std::vector<double>& z = dense_;  // indexed by column here (m <= dimension + 1)
  if (z.size() < m) z.resize(m, 0.0);
  z[0] = 1.0;
  rhs_[0] += y_[i];
  for (std::size_t e = 0; e < x.bucket.size(); ++e) {
    const std::size_t c = column_[x.bucket[e]];
    z[c] = x.count[e];
    rhs_[c] += x.count[e] * y_[i];
  }
  if (p(0, 0) == 0) {
    // The first sample: M = z z^T + diag(0, alpha, ...), whose factor is z in column 0 (z_0 =
    // 1) and sqrt(alpha) on the rest of the diagonal.
    for (std::size_t r = 0; r < m; ++r) p(r, 0) = z[r];
  } else {
    // Rank-one update of L L^T by z z^T, column by column (z fills in after column 0, whose
    // entries are nonzero for every bucket seen, so there is no sparsity to exploit).
    for (std::size_t k = 0; k < m; ++k) {
      const double zk = z[k];
      if (zk == 0) continue;  // a rotation by angle 0
      double* col = &primal_l_[k * stride_];
      const double lkk = col[k];
      const double r = std::sqrt(lkk * lkk + zk * zk);
      const double c = r / lkk, s = zk / lkk;
      col[k] = r;
      for (std::size_t row = k + 1; row < m; ++row) {
        col[row] = (col[row] + s * z[row]) / c;
        z[row] = c * z[row] - s * col[row];
      }
    }
  }
  std::fill_n(z.begin(), m, 0.0);
}

void sparse_ridge::fit() {
  const std::size_t n = y_.size();
  if (n == 0) return;
  std::fill(w_.begin(), w_.end(), 0.0);
  if (primal_) {
    // M theta = Z^T y: forward L u = rhs by columns, then backward L^T theta = u by rows of
    // L^T (the columns of L, contiguous).
    const std::size_t m = order_;
    std::vector<double> t(rhs_.begin(), rhs_.begin() + static_cast<std::ptrdiff_t>(m));
    for (std::size_t j = 0; j < m; ++j) {
      const double* col = &primal_l_[j * stride_];
      t[j] /= col[j];
      for (std::size_t r = j + 1; r < m; ++r) t[r] -= col[r] * t[j];
    }
    for (std::size_t j = m; j-- > 0;) {
      const double* col = &primal_l_[j * stride_];
      double s = t[j];
      for (std::size_t r = j + 1; r < m; ++r) s -= col[r] * t[r];
      t[j] = s / col[j];
    }
    b_ = t[0];
    for (std::size_t c = 1; c < m; ++c) w_[bucket_of_[c]] = t[c];
    return;
  }
  double z11 = 0, z1y = 0;
  for (std::size_t i = 0; i < n; ++i) {
    z11 += z_1_[i] * z_1_[i];
    z1y += z_1_[i] * z_y_[i];
  }
  b_ = z1y / z11;  // z_1 is never zero: its first entry is 1 / L_00 > 0
  // beta = L^-T (z_y - b z_1), by columns of L^T = rows of L (contiguous in the packing).
  std::vector<double> beta(n);
  for (std::size_t i = 0; i < n; ++i) beta[i] = z_y_[i] - b_ * z_1_[i];
  for (std::size_t j = n; j-- > 0;) {
    const double* lj = &dual_l_[j * (j + 1) / 2];
    beta[j] /= lj[j];
    const double bj = beta[j];
    for (std::size_t i = 0; i < j; ++i) beta[i] -= lj[i] * bj;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const sparse_counts& xi = x_[i];
    for (std::size_t e = 0; e < xi.bucket.size(); ++e) w_[xi.bucket[e]] += beta[i] * xi.count[e];
  }
}

double sparse_ridge::predict(std::span<const std::uint64_t> hashes) const noexcept {
  double s = b_;
  for (const std::uint64_t h : hashes) s += w_[h % dimension_];
  return s;
}

}  // namespace detail

namespace {

/// The most buckets a surrogate may have: the model keeps about 20 bytes per bucket (80 MiB at
/// the most; 4e9 buckets, which nothing refused, asked for 16 GB up front).
constexpr std::uint32_t max_buckets = std::uint32_t{1} << 22;

surrogate_options checked(const surrogate_options& o) {
  if (o.buckets == 0 || o.buckets > max_buckets)
    throw std::invalid_argument("hashing_surrogate: buckets must be in [1, " +
                                std::to_string(max_buckets) + "], got " +
                                std::to_string(o.buckets));
  if (o.refit_interval == 0)
    throw std::invalid_argument("hashing_surrogate: refit_interval must be at least 1");
  if (!(o.alpha > 0) || !std::isfinite(o.alpha))
    throw std::invalid_argument("hashing_surrogate: alpha must be positive and finite, got " +
                                std::to_string(o.alpha));
  if (!std::isfinite(o.prior_mean))
    throw std::invalid_argument("hashing_surrogate: prior_mean must be finite");
  if (!o.groups.modules && !o.groups.connections && !o.groups.values)
    throw std::invalid_argument("hashing_surrogate: no feature group is enabled");
  return o;
}

}  // namespace

hashing_surrogate::hashing_surrogate(space_ref space, surrogate_options options)
    : space_(space), options_(checked(options)), model_(options_.buckets, options_.alpha) {}

double hashing_surrogate::eval(const assignment& a) const {
  std::vector<std::uint64_t> features;
  hashed_features(space_, a, features, options_.groups);
  return eval_features(features);
}

double hashing_surrogate::eval_features(std::span<const std::uint64_t> hashes) const noexcept {
  return fitted_ ? model_.predict(hashes) : options_.prior_mean;
}

void hashing_surrogate::update(const assignment& a, double score) {
  hashed_features(space_, a, scratch_, options_.groups);
  update_features(scratch_, score);
}

void hashing_surrogate::update_features(std::span<const std::uint64_t> hashes, double score) {
  if (!std::isfinite(score))
    throw std::invalid_argument(
        "hashing_surrogate: scores must be finite (map a failed evaluation to a finite "
        "stand-in), got " +
        std::to_string(score));
  model_.add(detail::sparse_counts::from_hashes(hashes, options_.buckets), score);
  if (++since_fit_ >= options_.refit_interval) refit();
}

void hashing_surrogate::refit() {
  if (model_.size() == 0) return;
  model_.fit();
  fitted_ = true;
  since_fit_ = 0;
}

}  // namespace darch::search
