// SPDX-License-Identifier: MIT
// DOT output of architectures and of spaces, checked by Graphviz itself when it is installed.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "darch/arch.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

/// Whether Graphviz's `dot` parses `text` (true when dot is not installed: nothing to ask).
bool graphviz_accepts(const std::string& text) {
  if (std::system("command -v dot > /dev/null 2>&1") != 0) return true;
  const auto file = std::filesystem::temp_directory_path() / "darch_dot_test.dot";
  std::ofstream(file) << text;
  const std::string command = "dot -Tplain " + file.string() + " > /dev/null 2>&1";
  const bool ok = std::system(command.c_str()) == 0;
  std::filesystem::remove(file);
  return ok;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("dot: the README space, with its shared activation drawn once", "[arch]") {
  const std::string dot = darch::space_to_dot(darch::space_of<darch::spaces::readme_mlp>());
  CHECK(dot.rfind("digraph space {", 0) == 0);
  CHECK(count(dot, "act\\n{relu, sigmoid}") == 1);                // one oval for the shared name
  CHECK(count(dot, "-> s0 [arrowhead=none, style=dashed") == 1);  // its one use in the type
  CHECK(count(dot, "units\\n{256, 512, 1024}") == 1);
  CHECK(count(dot, "count\\n{1, 2, 4}") == 1);
  CHECK(count(dot, "rate\\n{0.2, 0.5, 0.7}") == 1);
  CHECK(graphviz_accepts(dot));
}

TEST_CASE("dot: an architecture with a merge labels the merge's input ports", "[arch]") {
  using S = darch::residual<darch::dense<darch::choice<4>>, darch::identity, darch::add>;
  const darch::architecture a = darch::materialize(darch::space_of<S>(), darch::assignment{});
  const std::string dot = darch::to_dot(a);
  CHECK(count(dot, "[label=\"0\"]") == 1);
  CHECK(count(dot, "[label=\"1\"]") == 1);
  CHECK(count(dot, "units=4") == 1);
  CHECK(graphviz_accepts(dot));
}

TEST_CASE("dot: a dependent hyperparameter is linked to its parent", "[arch]") {
  using width = darch::shared<"width", darch::choice<8, 16>>;
  using half = darch::dependent<[](std::int64_t w) { return w / 2; }, "width">;
  using S = darch::seq<darch::dense<width>, darch::dense<half>>;
  const std::string dot = darch::space_to_dot(darch::space_of<S>());
  CHECK(count(dot, "units = f(...)") == 1);
  CHECK(count(dot, "s0 -> h") == 1);
  CHECK(graphviz_accepts(dot));
}
