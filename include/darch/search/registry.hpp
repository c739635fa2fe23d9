// SPDX-License-Identifier: MIT
/// @file
/// Declares `darch::search::make_searcher`: a searcher from its name and JSON options, for
/// command lines and configuration files.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "darch/search/searcher.hpp"
#include "darch/space/space_ref.hpp"

namespace darch::search {

/// The names `make_searcher` knows: random, grid, evolution, mcts, smbo, smbo-mcts,
/// successive-narrowing, successive-halving, hyperband.
std::span<const std::string_view> searcher_names() noexcept;

/// The searcher called `name`, over `space`, seeded with `seed`, with `options` (a JSON object
/// whose keys are the fields of that searcher's options struct, e.g. `{"population": 32}` for
/// evolution; enumerators as strings: `"sampling": "uniform"`; null or {} for the defaults).
/// Throws std::invalid_argument naming the problem: an unknown searcher (listing the known
/// ones), an unknown option key (listing the searcher's keys), a value of the wrong type.
std::unique_ptr<searcher> make_searcher(std::string_view name, space_ref space, std::uint64_t seed,
                                        const nlohmann::json& options);

}  // namespace darch::search
