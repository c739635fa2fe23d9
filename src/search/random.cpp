// SPDX-License-Identifier: MIT
// Random search, and the random draws every searcher that starts from random architectures makes.
#include "darch/search/random.hpp"

#include <stdexcept>
#include <string>

#include "darch/arch/rank.hpp"
#include "darch/arch/sample.hpp"

namespace darch::search {

void require_sampling(space_ref space, sampling_mode mode, std::string_view who) {
  if (mode == sampling_mode::uniform && !space.size_fits_u64())
    throw std::domain_error(std::string(who) +
                            ": uniform sampling needs a space of fewer than 2^64 architectures; "
                            "this one has more (use sampling_mode::per_decision)");
}

void draw_random(space_ref space, sampling_mode mode, rng& gen, assignment& out) {
  if (mode == sampling_mode::uniform) out = sample_uniform(space, gen);
  else sample(space, gen, out);
}

random_searcher::random_searcher(space_ref space, random_options options, std::uint64_t seed)
    : space_(space), options_(options), gen_(seed) {
  require_sampling(space_, options_.sampling, "darch::search::random_searcher");
}

std::optional<proposal> random_searcher::ask() {
  draw_random(space_, options_.sampling, gen_, scratch_);
  return make_proposal(scratch_);
}

void random_searcher::tell(const proposal&, double) {}

}  // namespace darch::search
