// SPDX-License-Identifier: MIT
/// @file
/// The one include of Catch2 for darch's tests (precompiled for every test executable). Use only
/// what Catch2 2.13 and 3.x both have: TEST_CASE, SECTION, REQUIRE/CHECK, STATIC_REQUIRE,
/// REQUIRE_THAT with Catch::Matchers::WithinRel/WithinAbs, TEMPLATE_TEST_CASE, GENERATE.
#pragma once

#if defined(DARCH_CATCH2_V3)
#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_floating_point.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#else
#include <catch2/catch.hpp>
#endif

#include <string>

namespace darch::test {

/// A substring matcher for REQUIRE_THROWS_WITH and CHECK_THAT, in Catch2 2.13 and 3.x.
inline auto has(const std::string& text) {
#if defined(DARCH_CATCH2_V3)
  return Catch::Matchers::ContainsSubstring(text);
#else
  return Catch::Matchers::Contains(text);
#endif
}

}  // namespace darch::test
