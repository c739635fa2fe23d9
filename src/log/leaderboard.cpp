// SPDX-License-Identifier: MIT
// Read-back summaries of a search log: the best evaluations and a plain-text table.
#include "darch/log/leaderboard.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <range/v3/algorithm/stable_sort.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/take.hpp>

#include "darch/arch/decisions.hpp"
#include "darch/arch/value_of.hpp"
#include "darch/log/views.hpp"

namespace darch {

std::vector<evaluation_record> best_evaluations(const search_contents& contents, std::size_t k) {
  // References, not copies: only the k best records are copied out. The records are in id
  // order, so a stable sort keeps the lower id first among equal scores.
  auto scored = contents.evaluations | views::ok |
                ranges::to<std::vector<std::reference_wrapper<const evaluation_record>>>();
  ranges::stable_sort(scored, std::greater{}, score_of);
  const auto n = static_cast<std::ptrdiff_t>(std::min(k, scored.size()));
  return scored | ranges::views::take(n) | ranges::to<std::vector<evaluation_record>>();
}

std::string short_architecture(space_ref space, const assignment& a, std::size_t width) {
  std::string out;
  const std::vector<decision> named = describe(space, a);
  for (std::size_t i = 0; i < named.size(); ++i) {
    // `repeat#0[1]/optional#1/dropout.rate` -> `rate`; a shared name (`act`) stays as it is.
    std::string_view name = named[i].name;
    if (const auto slash = name.rfind('/'); slash != std::string_view::npos)
      name.remove_prefix(slash + 1);
    if (const auto dot = name.rfind('.'); dot != std::string_view::npos)
      name.remove_prefix(dot + 1);
    if (!out.empty()) out += ' ';
    out += name;
    out += '=';
    out += to_string(named[i].domain[a.choices[i]]);
    if (width != 0 && out.size() > width) break;
  }
  if (width != 0 && out.size() > width) {
    out.resize(width >= 3 ? width - 3 : 0);
    out += "...";
  }
  return out;
}

std::string leaderboard_table(space_ref space, std::span<const evaluation_record> records,
                              std::size_t architecture_width) {
  std::string out;
  char line[128];
  std::snprintf(line, sizeof line, "%8s  %10s  %-8s  %9s  %s\n", "id", "score", "status", "seconds",
                "architecture");
  out += line;
  for (const evaluation_record& r : records) {
    char score[32] = "-", seconds[32] = "-";
    if (r.results && r.results->has_score())
      std::snprintf(score, sizeof score, "%.4f", r.results->score);
    if (r.results) std::snprintf(seconds, sizeof seconds, "%.1f", r.results->seconds);
    std::snprintf(line, sizeof line, "%8llu  %10s  %-8s  %9s  ",
                  static_cast<unsigned long long>(r.id), score, std::string{r.state()}.c_str(),
                  seconds);
    out += line;
    out += r.config ? short_architecture(space, r.config->arch, architecture_width)
                    : std::string{"(no config)"};
    out += '\n';
  }
  return out;
}

}  // namespace darch
