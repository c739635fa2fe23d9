// SPDX-License-Identifier: MIT
// UCT over the decisions of a space: tree walk, one expansion, random rollout, virtual losses.
#include "darch/search/mcts.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "darch/arch/decisions.hpp"
#include "darch/arch/sample.hpp"

namespace darch::search {
namespace {

mcts_options checked(const mcts_options& o) {
  if (!(o.exploration >= 0) || !std::isfinite(o.exploration))
    throw std::invalid_argument("mcts_searcher: exploration must be finite and >= 0, got " +
                                std::to_string(o.exploration));
  // Nodes are numbered in 32 bits (a node is 32 bytes: 2^32 of them would be 128 GiB).
  if (o.max_nodes < 1 || o.max_nodes > std::numeric_limits<std::uint32_t>::max())
    throw std::invalid_argument("mcts_searcher: max_nodes must be in [1, 2^32 - 1], got " +
                                std::to_string(o.max_nodes));
  if (o.max_attempts < 1)
    throw std::invalid_argument("mcts_searcher: max_attempts must be at least 1");
  return o;
}

}  // namespace

mcts_searcher::mcts_searcher(space_ref space, mcts_options options, std::uint64_t seed)
    : space_(space), options_(checked(options)), gen_(seed), nodes_(1) {}

std::uint32_t mcts_searcher::select(const node& parent) {
  const node* children = &nodes_[parent.first_child];
  std::uint64_t total = 0;
  for (std::uint32_t i = 0; i < parent.arity; ++i)
    total += children[i].visits + children[i].pending;
  // Rescale means to [0, 1] by the scores seen; failures and virtual losses score 0 (the
  // lowest). Before two distinct scores, every mean is 0 and UCB1 only explores.
  const double range = any_score_ ? highest_ - lowest_ : 0.0;
  const double scale = range > 0 ? 1.0 / range : 0.0;
  const double log_total = std::log(static_cast<double>(total == 0 ? 1 : total));
  double best = -std::numeric_limits<double>::infinity();
  std::uint32_t pick = 0, ties = 0;
  for (std::uint32_t i = 0; i < parent.arity; ++i) {
    const node& c = children[i];
    const std::uint32_t n = c.visits + c.pending;
    double value;
    if (n == 0) {
      value = std::numeric_limits<double>::infinity();  // untried: try it first
    } else {
      const auto finite = static_cast<double>(c.visits - c.failures);
      const double q = (c.sum - finite * lowest_) * scale / n;
      value = q + options_.exploration * std::sqrt(log_total / n);
    }
    if (value > best) {
      best = value;
      pick = i;
      ties = 1;
    } else if (value == best && gen_.below(++ties) == 0) {
      pick = i;  // reservoir choice: each of the tied children with probability 1 / ties
    }
  }
  return pick;
}

void mcts_searcher::draw(assignment& out) {
  out.choices.clear();
  path_.clear();
  // The walk's state; the chooser captures only `this` and it, so std::function stores it
  // without allocating.
  struct walk {
    std::uint32_t at = 0;  // the tree node whose decision comes next
    bool in_tree = true;
  } w;
  const auto choose = [this, &w](std::uint32_t size) -> std::uint32_t {
    if (!w.in_tree) return static_cast<std::uint32_t>(gen_.below(size));  // rollout
    node& here = nodes_[w.at];
    if (here.arity == 0) {
      // A leaf: expand it (one expansion per walk), pick a child at random, leave the tree.
      w.in_tree = false;
      const auto k = static_cast<std::uint32_t>(gen_.below(size));
      if (nodes_.size() + size <= options_.max_nodes) {
        const auto first = static_cast<std::uint32_t>(nodes_.size());
        here.first_child = first;
        here.arity = size;
        nodes_.resize(nodes_.size() + size);  // invalidates `here`
        path_.push_back(first + k);
      }
      return k;
    }
    if (here.arity != size)
      throw std::logic_error("mcts_searcher: a tree node met decisions of two domain sizes");
    const std::uint32_t k = select(here);
    w.at = here.first_child + k;
    path_.push_back(w.at);
    return k;
  };
  std::vector<std::uint32_t> penalised;  // virtual losses of failed attempts, undone below
  bool ok = false;
  for (int attempt = 0; attempt < options_.max_attempts && !ok; ++attempt) {
    if (attempt > 0) {
      // The last completion broke a constraint: hold a virtual loss on its path so the next
      // walk tries elsewhere rather than repeating it.
      for (const std::uint32_t n : path_) ++nodes_[n].pending;
      penalised.insert(penalised.end(), path_.begin(), path_.end());
      out.choices.clear();
      path_.clear();
      w = walk{};
    }
    ok = complete(space_, out, choose);
  }
  for (const std::uint32_t n : penalised) --nodes_[n].pending;
  if (!ok) {
    sample(space_, gen_, out);
    path_of(out, path_);
  }
}

void mcts_searcher::path_of(const assignment& a, std::vector<std::uint32_t>& out) const {
  out.clear();
  std::uint32_t at = 0;
  for (std::size_t i = 0; i < a.size() && nodes_[at].arity != 0; ++i) {
    if (a.choices[i] >= nodes_[at].arity)
      throw assignment_error("mcts_searcher: decision " + std::to_string(i) + " has index " +
                             std::to_string(a.choices[i]) + " but only " +
                             std::to_string(nodes_[at].arity) + " values");
    at = nodes_[at].first_child + a.choices[i];
    out.push_back(at);
  }
}

std::optional<proposal> mcts_searcher::ask() {
  assignment a;
  draw(a);
  for (const std::uint32_t n : path_) ++nodes_[n].pending;
  proposal p = make_proposal(std::move(a));
  outstanding_.insert_or_assign(p.id, path_);
  return p;
}

void mcts_searcher::tell(const proposal& p, double score) {
  validate(space_, p.arch);
  if (const auto it = outstanding_.find(p.id); it != outstanding_.end()) {
    for (const std::uint32_t n : it->second) --nodes_[n].pending;
    outstanding_.erase(it);
  }
  backup(p.arch, score);
}

void mcts_searcher::backup(const assignment& a, double score) {
  const double s = comparable(score);
  if (s == std::numeric_limits<double>::infinity())
    throw std::invalid_argument("mcts_searcher: a score of +inf cannot be ranked");
  const bool failed = s == failed_score;
  if (!failed) {
    lowest_ = any_score_ ? std::min(lowest_, s) : s;
    highest_ = any_score_ ? std::max(highest_, s) : s;
    any_score_ = true;
  }
  path_of(a, path_);
  const auto add = [&](node& n) {
    ++n.visits;
    if (failed) ++n.failures;
    else n.sum += s;
  };
  add(nodes_[0]);
  for (const std::uint32_t n : path_) add(nodes_[n]);
}

}  // namespace darch::search
