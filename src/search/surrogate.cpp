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
    : dimension_(dimension), alpha_(alpha), w_(dimension, 0.0), dense_(dimension, 0.0) {
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
  const std::size_t n = y_.size();

  // k = X_old x (one sparse dot per earlier sample against x scattered densely).
  double self = 0;
  for (std::size_t e = 0; e < x.bucket.size(); ++e) {
    dense_[x.bucket[e]] = x.count[e];
    self += x.count[e] * x.count[e];
  }
  factor_.resize(factor_.size() + n + 1);
  double* row = &factor_[n * (n + 1) / 2];
  for (std::size_t i = 0; i < n; ++i) {
    double dot = 0;
    const sparse_counts& xi = x_[i];
    for (std::size_t e = 0; e < xi.bucket.size(); ++e) dot += dense_[xi.bucket[e]] * xi.count[e];
    row[i] = dot;
  }
  for (const std::uint32_t b : x.bucket) dense_[b] = 0;

  // Forward substitution L_old l = k, in place; then the new diagonal entry and the new
  // entries of z_y = L^-1 y and z_1 = L^-1 1.
  double norm = 0, dot_y = 0, dot_1 = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double* li = &factor_[i * (i + 1) / 2];
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
  z_y_.push_back((y - dot_y) / d);
  z_1_.push_back((1.0 - dot_1) / d);
  x_.push_back(std::move(x));
  y_.push_back(y);
}

void sparse_ridge::fit() {
  const std::size_t n = y_.size();
  if (n == 0) return;
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
    const double* lj = &factor_[j * (j + 1) / 2];
    beta[j] /= lj[j];
    const double bj = beta[j];
    for (std::size_t i = 0; i < j; ++i) beta[i] -= lj[i] * bj;
  }
  std::fill(w_.begin(), w_.end(), 0.0);
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

surrogate_options checked(const surrogate_options& o) {
  if (o.buckets == 0) throw std::invalid_argument("hashing_surrogate: buckets must be positive");
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
