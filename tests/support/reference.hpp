// SPDX-License-Identifier: MIT
/// @file
/// Naive double-precision reference implementations of the CPU layer kernels, for the kernel
/// tests: plain loops straight from the definitions, no blocking, no GEMM, no threads.
/// Layouts are the kernels' (row-major, batch first, NCHW).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace darch::test::ref {

using vec = std::vector<double>;

/// Variant activation index 0..4 (linear, relu, sigmoid, tanh, gelu) of x; the textbook
/// formulas (GELU: the tanh approximation). Softmax (5) is handled by the layers.
inline double activation(int act, double x) {
  constexpr double pi = 3.14159265358979323846;
  switch (act) {
    case 0: return x;
    case 1: return x > 0 ? x : 0;
    case 2: return 1 / (1 + std::exp(-x));
    case 3: return std::tanh(x);
    case 4: return 0.5 * x * (1 + std::tanh(std::sqrt(2 / pi) * (x + 0.044715 * x * x * x)));
    default: return std::numeric_limits<double>::quiet_NaN();
  }
}

/// Softmax of n values read at v[i * stride], written back in place.
inline void softmax_strided(double* v, std::int64_t n, std::int64_t stride) {
  double m = -std::numeric_limits<double>::infinity();
  for (std::int64_t i = 0; i < n; ++i) m = std::max(m, v[i * stride]);
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i) sum += std::exp(v[i * stride] - m);
  for (std::int64_t i = 0; i < n; ++i) v[i * stride] = std::exp(v[i * stride] - m) / sum;
}

/// y = act(x W^T + b); act 5 = softmax per row. `z`, if given, receives the pre-activation.
inline vec dense(std::int64_t batch, std::int64_t in, std::int64_t out, int act, const vec& x,
                 const vec& w, const vec& b, vec* z = nullptr) {
  vec y(static_cast<std::size_t>(batch * out));
  for (std::int64_t r = 0; r < batch; ++r)
    for (std::int64_t o = 0; o < out; ++o) {
      double s = b[o];
      for (std::int64_t i = 0; i < in; ++i) s += x[r * in + i] * w[o * in + i];
      y[r * out + o] = s;
    }
  if (z) *z = y;
  for (std::int64_t r = 0; r < batch; ++r) {
    if (act == 5) {
      softmax_strided(&y[r * out], out, 1);
    } else {
      for (std::int64_t o = 0; o < out; ++o) y[r * out + o] = activation(act, y[r * out + o]);
    }
  }
  return y;
}

/// Output size of a conv2d dimension, as modules/conv2d.hpp infers it.
inline std::int64_t conv_out(std::int64_t in, int k, int stride, bool same) {
  return same ? (in + stride - 1) / stride : (in - k) / stride + 1;
}

struct conv_shape {
  std::int64_t batch, in_c, in_h, in_w, out_c;
  int k, stride;
  bool same;
  std::int64_t out_h() const { return conv_out(in_h, k, stride, same); }
  std::int64_t out_w() const { return conv_out(in_w, k, stride, same); }
  int pad() const { return same ? (k - 1) / 2 : 0; }
};

/// y = act(conv(x, w) + b); act 5 = softmax over the channels of each pixel. `z`, if given,
/// receives the pre-activation.
inline vec conv2d(const conv_shape& s, int act, const vec& x, const vec& w, const vec& b,
                  vec* z = nullptr) {
  const std::int64_t OH = s.out_h(), OW = s.out_w(), P = OH * OW;
  vec y(static_cast<std::size_t>(s.batch * s.out_c * P));
  for (std::int64_t n = 0; n < s.batch; ++n)
    for (std::int64_t o = 0; o < s.out_c; ++o)
      for (std::int64_t oy = 0; oy < OH; ++oy)
        for (std::int64_t ox = 0; ox < OW; ++ox) {
          double acc = b[o];
          for (std::int64_t c = 0; c < s.in_c; ++c)
            for (int ky = 0; ky < s.k; ++ky) {
              const std::int64_t iy = oy * s.stride - s.pad() + ky;
              if (iy < 0 || iy >= s.in_h) continue;  // zero padding
              const double* xr = &x[((n * s.in_c + c) * s.in_h + iy) * s.in_w];
              const double* wr = &w[((o * s.in_c + c) * s.k + ky) * s.k];
              for (int kx = 0; kx < s.k; ++kx) {
                const std::int64_t ix = ox * s.stride - s.pad() + kx;
                if (ix >= 0 && ix < s.in_w) acc += xr[ix] * wr[kx];
              }
            }
          y[((n * s.out_c + o) * OH + oy) * OW + ox] = acc;
        }
  if (z) *z = y;
  for (std::int64_t n = 0; n < s.batch; ++n) {
    if (act == 5) {
      for (std::int64_t p = 0; p < P; ++p) softmax_strided(&y[n * s.out_c * P + p], s.out_c, P);
    } else {
      for (std::int64_t i = 0; i < s.out_c * P; ++i)
        y[n * s.out_c * P + i] = activation(act, y[n * s.out_c * P + i]);
    }
  }
  return y;
}

/// Gradients of a linear conv2d (no activation) given dz = dL/dz: dx, dw, db.
inline void conv2d_backward_linear(const conv_shape& s, const vec& x, const vec& w, const vec& dz,
                                   vec& dx, vec& dw, vec& db) {
  const std::int64_t OH = s.out_h(), OW = s.out_w();
  dx.assign(x.size(), 0.0);
  dw.assign(w.size(), 0.0);
  db.assign(static_cast<std::size_t>(s.out_c), 0.0);
  for (std::int64_t n = 0; n < s.batch; ++n)
    for (std::int64_t o = 0; o < s.out_c; ++o)
      for (std::int64_t oy = 0; oy < OH; ++oy)
        for (std::int64_t ox = 0; ox < OW; ++ox) {
          const double g = dz[((n * s.out_c + o) * OH + oy) * OW + ox];
          db[o] += g;
          for (std::int64_t c = 0; c < s.in_c; ++c)
            for (int ky = 0; ky < s.k; ++ky)
              for (int kx = 0; kx < s.k; ++kx) {
                const std::int64_t iy = oy * s.stride - s.pad() + ky;
                const std::int64_t ix = ox * s.stride - s.pad() + kx;
                if (iy < 0 || iy >= s.in_h || ix < 0 || ix >= s.in_w) continue;
                const std::size_t xi = ((n * s.in_c + c) * s.in_h + iy) * s.in_w + ix;
                const std::size_t wi = ((o * s.in_c + c) * s.k + ky) * s.k + kx;
                dx[xi] += g * w[wi];
                dw[wi] += g * x[xi];
              }
        }
}

struct pool_shape {
  std::int64_t batch, c, in_h, in_w, window, stride;
  std::int64_t out_h() const { return (in_h - window) / stride + 1; }
  std::int64_t out_w() const { return (in_w - window) / stride + 1; }
};

/// Max (max = true) or average pooling, no padding.
inline vec pool(const pool_shape& s, bool max, const vec& x) {
  const std::int64_t OH = s.out_h(), OW = s.out_w();
  vec y(static_cast<std::size_t>(s.batch * s.c * OH * OW));
  for (std::int64_t pl = 0; pl < s.batch * s.c; ++pl)
    for (std::int64_t oy = 0; oy < OH; ++oy)
      for (std::int64_t ox = 0; ox < OW; ++ox) {
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        for (std::int64_t ky = 0; ky < s.window; ++ky)
          for (std::int64_t kx = 0; kx < s.window; ++kx) {
            const double v = x[(pl * s.in_h + oy * s.stride + ky) * s.in_w + ox * s.stride + kx];
            acc = max ? std::max(acc, v) : acc + v;
          }
        y[(pl * OH + oy) * OW + ox] = max ? acc : acc / static_cast<double>(s.window * s.window);
      }
  return y;
}

inline vec global_avg_pool(std::int64_t batch, std::int64_t c, std::int64_t hw, const vec& x) {
  vec y(static_cast<std::size_t>(batch * c));
  for (std::int64_t pl = 0; pl < batch * c; ++pl) {
    double s = 0;
    for (std::int64_t i = 0; i < hw; ++i) s += x[pl * hw + i];
    y[pl] = s / static_cast<double>(hw);
  }
  return y;
}

/// Training-mode batch norm over [batch, c, spatial]; `mean` and `var` (biased) receive the
/// batch statistics.
inline vec batch_norm_train(std::int64_t batch, std::int64_t c, std::int64_t spatial, double eps,
                            const vec& x, const vec& gamma, const vec& beta, vec* mean = nullptr,
                            vec* var = nullptr) {
  vec y(x.size());
  const double n = static_cast<double>(batch * spatial);
  if (mean) mean->assign(static_cast<std::size_t>(c), 0.0);
  if (var) var->assign(static_cast<std::size_t>(c), 0.0);
  for (std::int64_t ch = 0; ch < c; ++ch) {
    double m = 0, v = 0;
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t i = 0; i < spatial; ++i) m += x[(b * c + ch) * spatial + i];
    m /= n;
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t i = 0; i < spatial; ++i) {
        const double d = x[(b * c + ch) * spatial + i] - m;
        v += d * d;
      }
    v /= n;
    if (mean) (*mean)[ch] = m;
    if (var) (*var)[ch] = v;
    for (std::int64_t b = 0; b < batch; ++b)
      for (std::int64_t i = 0; i < spatial; ++i) {
        const std::size_t k = (b * c + ch) * spatial + i;
        y[k] = gamma[ch] * (x[k] - m) / std::sqrt(v + eps) + beta[ch];
      }
  }
  return y;
}

inline vec dropout(const vec& x, const std::vector<std::uint8_t>& mask, double rate) {
  vec y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = mask[i] ? x[i] / (1 - rate) : 0.0;
  return y;
}

inline vec add(const std::vector<vec>& xs) {
  vec y(xs.at(0).size(), 0.0);
  for (const vec& x : xs)
    for (std::size_t i = 0; i < y.size(); ++i) y[i] += x[i];
  return y;
}

inline vec concat(std::int64_t batch, std::int64_t spatial, const std::vector<vec>& xs,
                  const std::vector<std::int64_t>& channels) {
  vec y;
  for (std::int64_t b = 0; b < batch; ++b)
    for (std::size_t k = 0; k < xs.size(); ++k) {
      const std::int64_t len = channels[k] * spatial;
      y.insert(y.end(), xs[k].begin() + b * len, xs[k].begin() + (b + 1) * len);
    }
  return y;
}

/// Mean softmax cross-entropy; `p`, if given, receives the probabilities.
inline double softmax_cross_entropy(std::int64_t batch, std::int64_t classes, const vec& logits,
                                    const std::vector<std::int32_t>& labels, vec* p = nullptr) {
  double total = 0;
  if (p) p->assign(logits.size(), 0.0);
  for (std::int64_t r = 0; r < batch; ++r) {
    const double* l = &logits[r * classes];
    double m = -std::numeric_limits<double>::infinity();
    for (std::int64_t j = 0; j < classes; ++j) m = std::max(m, l[j]);
    double sum = 0;
    for (std::int64_t j = 0; j < classes; ++j) sum += std::exp(l[j] - m);
    const double lse = m + std::log(sum);
    total += lse - l[labels[r]];
    if (p)
      for (std::int64_t j = 0; j < classes; ++j) (*p)[r * classes + j] = std::exp(l[j] - lse);
  }
  return total / static_cast<double>(batch);
}

}  // namespace darch::test::ref
