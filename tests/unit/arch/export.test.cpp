// SPDX-License-Identifier: MIT
// export_cpp as text: the choices it writes are the assignment's, the comments name every
// decision and op, names are checked, and an assignment of another space is refused with
// validate's message. (That the text compiles is tested with darch::fixed_architecture.)
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "darch/arch.hpp"
#include "darch/arch/export.hpp"
#include "darch/space.hpp"
#include "darch/spaces/readme_mlp.hpp"
#include "support/catch.hpp"

namespace {

using darch::assignment;
using darch::assignment_error;
using darch::export_names;

using darch::test::has;

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

constexpr darch::space_ref readme = darch::space_of<darch::spaces::readme_mlp_784>();

export_names readme_names() {
  return {.space_type = "darch::spaces::readme_mlp_784",
          .space_header = "darch/spaces/readme_mlp.hpp"};
}

/// The numbers inside the one `darch::choices<...>` of an exported text.
std::vector<std::uint32_t> choices_in(const std::string& text) {
  const std::string open = "darch::choices<";
  const std::size_t first = text.find(open);
  REQUIRE(first != std::string::npos);
  REQUIRE(text.find(open, first + 1) == std::string::npos);
  const std::size_t begin = first + open.size();
  const std::size_t end = text.find('>', begin);
  REQUIRE(end != std::string::npos);
  std::vector<std::uint32_t> out;
  std::istringstream in(text.substr(begin, end - begin));
  std::string number;
  while (std::getline(in, number, ','))
    out.push_back(static_cast<std::uint32_t>(std::stoul(number)));
  return out;
}

// Two cells: count 2; cell 0: 1024 units, dropout 0.5; cell 1: 256 units, dropout 0.2; relu.
const assignment two_cells{{1, 2, 0, 1, 1, 0, 1, 0}};

}  // namespace

TEST_CASE("export_cpp: the README example names its choices as a type", "[arch]") {
  const std::string text = darch::export_cpp(readme, two_cells, readme_names());
  CHECK(contains(text,
                 "\nusing architecture = darch::fixed_architecture<darch::spaces::readme_mlp_784, "
                 "darch::choices<1, 2, 0, 1, 1, 0, 1, 0>>;\n"));
  CHECK(contains(text, "\n#pragma once\n"));
  CHECK(contains(text, "\n#include \"darch/fixed/fixed_architecture.hpp\"\n"));
  CHECK(contains(text, "\n#include \"darch/spaces/readme_mlp.hpp\"\n"));
  CHECK_FALSE(contains(text, "namespace"));
  CHECK_FALSE(contains(text, "fingerprint"));
  // Every line before the code is a comment.
  std::istringstream lines(text.substr(0, text.find("#pragma once")));
  for (std::string line; std::getline(lines, line);) {
    INFO(line);
    CHECK((line.empty() || line.starts_with("//")));
  }
}

TEST_CASE("export_cpp: the choices are the assignment's, for many assignments", "[arch]") {
  darch::rng gen(15);
  for (int i = 0; i < 50; ++i) {
    const assignment a = darch::sample(readme, gen);
    CHECK(choices_in(darch::export_cpp(readme, a, readme_names())) == a.choices);
  }
}

TEST_CASE("export_cpp: comments list the decisions and the ops", "[arch]") {
  const std::string text = darch::export_cpp(readme, two_cells, readme_names());
  CHECK(contains(text, "// Decisions (8):\n"));
  for (std::string_view line : {
           "//   repeat#0.count = 2\n",
           "//   repeat#0[0]/dense#0.units = 1024\n",
           "//   act = relu\n",
           "//   repeat#0[0]/optional#1.enabled = true\n",
           "//   repeat#0[0]/optional#1/dropout.rate = 0.5\n",
           "//   repeat#0[1]/dense#0.units = 256\n",
           "//   repeat#0[1]/optional#1.enabled = true\n",
           "//   repeat#0[1]/optional#1/dropout.rate = 0.2\n",
           "//   #0 input\n",
           "//   #1 dense(units=1024, activation=relu) <- #0\n",
           "//   #2 dropout(rate=0.5) <- #1\n",
           "//   #3 dense(units=256, activation=relu) <- #2\n",
           "//   #4 dropout(rate=0.2) <- #3\n",
           "//   #5 dense(units=10, activation=softmax) <- #4\n",
           "//   #6 output <- #5\n",
       }) {
    INFO(line);
    CHECK(contains(text, line));
  }
  // Decisions in order, then ops in walk order.
  CHECK(text.find("repeat#0.count") < text.find("act = relu"));
  CHECK(text.find("act = relu") < text.find("#0 input"));
  CHECK(text.find("#1 dense") < text.find("#2 dropout"));
}

TEST_CASE("export_cpp: an op with several inputs lists them in port order", "[arch]") {
  using S = darch::with_input_shape<
      darch::residual<darch::dense<darch::choice<8>, darch::one_of<darch::relu, darch::tanh>>,
                      darch::identity, darch::add>,
      8>;
  const std::string text =
      darch::export_cpp(darch::space_of<S>(), assignment{{1}}, {"my::residual", "my/space.hpp"});
  CHECK(contains(text, "#1 dense(units=8, activation=tanh) <- #0\n"));
  CHECK(contains(text, "#3 add <- #1, #2\n"));
  CHECK(choices_in(text) == std::vector<std::uint32_t>{1});
}

TEST_CASE("export_cpp: namespace, alias, fingerprint, and a space without decisions", "[arch]") {
  export_names names = readme_names();
  names.alias = "best_mlp";
  names.name_space = "my::archs";
  names.fingerprint = "0123456789abcdef";
  const std::string text = darch::export_cpp(readme, two_cells, names);
  CHECK(contains(text, "// Space fingerprint: 0123456789abcdef\n"));
  CHECK(contains(text, "\nnamespace my::archs {\n\nusing best_mlp = darch::fixed_architecture<"));
  CHECK(contains(text, ">>;\n\n}  // namespace my::archs\n"));
  CHECK_FALSE(contains(text, "using architecture"));
  // The same arguments give the same text.
  CHECK(darch::export_cpp(readme, two_cells, names) == text);

  using fixed = darch::with_input_shape<darch::dense<darch::choice<10>, darch::softmax>, 4>;
  const std::string none =
      darch::export_cpp(darch::space_of<fixed>(), assignment{}, {"fixed_net", "fixed_net.hpp"});
  CHECK(contains(none,
                 "using architecture = darch::fixed_architecture<fixed_net, "
                 "darch::choices<>>;\n"));
  CHECK(contains(none, "// Decisions (0):\n"));
  CHECK(contains(none, "#1 dense(units=10, activation=softmax) <- #0\n"));
}

TEST_CASE("export_cpp: names that are not C++ are refused, naming the field", "[arch]") {
  const auto refused = [](void (*change)(export_names&), const std::string& field) {
    export_names names = readme_names();
    change(names);
    INFO(field);
    CHECK_THROWS_AS(darch::export_cpp(readme, two_cells, names), std::invalid_argument);
    CHECK_THROWS_WITH(darch::export_cpp(readme, two_cells, names), has("export_cpp: " + field));
  };
  refused([](export_names& n) { n.space_type = ""; }, "space_type ''");
  refused([](export_names& n) { n.space_type = "1space"; }, "space_type '1space'");
  refused([](export_names& n) { n.space_type = "darch::"; }, "space_type");
  refused([](export_names& n) { n.space_type = "a:::b"; }, "space_type");
  refused([](export_names& n) { n.space_type = "a b"; }, "space_type");
  refused([](export_names& n) { n.space_type = "my::class"; }, "space_type");
  refused([](export_names& n) { n.space_type = "with_input_shape<s, 784>"; }, "space_type");
  refused([](export_names& n) { n.alias = ""; }, "alias");
  refused([](export_names& n) { n.alias = "a::b"; }, "alias");
  refused([](export_names& n) { n.alias = "int"; }, "alias");
  refused([](export_names& n) { n.alias = "arch-1"; }, "alias");
  refused([](export_names& n) { n.name_space = "::my"; }, "name_space");
  refused([](export_names& n) { n.name_space = "my::"; }, "name_space");
  refused([](export_names& n) { n.name_space = "namespace"; }, "name_space");
  refused([](export_names& n) { n.space_header = ""; }, "space_header");
  refused([](export_names& n) { n.space_header = "a\".hpp"; }, "space_header");
  refused([](export_names& n) { n.space_header = "a.hpp\n#include <x>"; }, "space_header");
  refused([](export_names& n) { n.fingerprint = "ab\ncd"; }, "fingerprint");

  // What is accepted: a leading '::' on the type, underscores and digits after the first letter.
  export_names names = readme_names();
  names.space_type = "::darch::spaces::readme_mlp_784";
  names.alias = "_arch2";
  names.name_space = "n1";
  CHECK(contains(darch::export_cpp(readme, two_cells, names),
                 "using _arch2 = darch::fixed_architecture<::darch::spaces::readme_mlp_784, "));
}

TEST_CASE("export_cpp: an assignment of another space is refused with validate's message",
          "[arch]") {
  for (const assignment& bad :
       {assignment{{1, 2}}, assignment{{3, 0, 0, 0}}, assignment{{0, 0, 0, 0, 0}}, assignment{}}) {
    std::string expected;
    try {
      darch::validate(readme, bad);
    } catch (const assignment_error& e) {
      expected = e.what();
    }
    REQUIRE_FALSE(expected.empty());
    CHECK_THROWS_AS(darch::export_cpp(readme, bad, readme_names()), assignment_error);
    CHECK_THROWS_WITH(darch::export_cpp(readme, bad, readme_names()), expected);
  }
}
