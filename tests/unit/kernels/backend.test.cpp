// SPDX-License-Identifier: MIT
// The run-time backend choice: parsing, CUDA availability and resolution, including the
// DARCH_BACKEND override. Written to pass both on GPU-less machines and on machines with a GPU.
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include "darch/config.hpp"
#include "darch/exec/backend.hpp"
#include "support/catch.hpp"

namespace {

using darch::exec::backend_kind;

// Sets (or unsets) DARCH_BACKEND for one scope, restoring the previous value afterwards.
class scoped_backend_env {
 public:
  explicit scoped_backend_env(const char* value) {
    if (const char* old = std::getenv(darch::exec::backend_env_var)) old_ = old;
    if (value) {
      ::setenv(darch::exec::backend_env_var, value, 1);
    } else {
      ::unsetenv(darch::exec::backend_env_var);
    }
  }
  ~scoped_backend_env() {
    if (old_) {
      ::setenv(darch::exec::backend_env_var, old_->c_str(), 1);
    } else {
      ::unsetenv(darch::exec::backend_env_var);
    }
  }
  scoped_backend_env(const scoped_backend_env&) = delete;
  scoped_backend_env& operator=(const scoped_backend_env&) = delete;

 private:
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("exec::parse_backend: valid names", "[exec][backend]") {
  CHECK(darch::exec::parse_backend("cpu") == backend_kind::cpu);
  CHECK(darch::exec::parse_backend("cuda") == backend_kind::cuda);
  CHECK(darch::exec::parse_backend("auto") == backend_kind::automatic);
  CHECK(darch::exec::parse_backend("automatic") == backend_kind::automatic);
  for (backend_kind k : {backend_kind::cpu, backend_kind::cuda, backend_kind::automatic}) {
    CHECK(darch::exec::parse_backend(darch::exec::name(k)) == k);
  }
}

TEST_CASE("exec::parse_backend: the error names the bad text and the valid ones",
          "[exec][backend]") {
  for (const char* bad : {"gpu", "CUDA", "", " cpu"}) {
    CAPTURE(bad);
    REQUIRE_THROWS_AS(darch::exec::parse_backend(bad), std::invalid_argument);
    try {
      (void)darch::exec::parse_backend(bad);
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      CHECK(what.find(std::string("'") + bad + "'") != std::string::npos);
      CHECK(what.find("cpu, cuda, auto") != std::string::npos);
    }
  }
}

TEST_CASE("exec::cuda_status: consistent, cached, and explained", "[exec][backend]") {
  const auto& status = darch::exec::cuda_status();
  CHECK(&status == &darch::exec::cuda_status());
  CHECK(status.available == darch::exec::cuda_available());
  CHECK_FALSE(status.reason.empty());
  if constexpr (!darch::config::has_cuda) {
    CHECK_FALSE(status.available);
    CHECK(status.reason.find("without the CUDA backend") != std::string::npos);
  }
}

TEST_CASE("exec::resolve_backend: explicit and automatic choices", "[exec][backend]") {
  const scoped_backend_env no_env(nullptr);
  CHECK(darch::exec::resolve_backend(backend_kind::cpu) == backend_kind::cpu);
  const backend_kind expected_auto =
      darch::exec::cuda_available() ? backend_kind::cuda : backend_kind::cpu;
  CHECK(darch::exec::resolve_backend(backend_kind::automatic) == expected_auto);
  CHECK(darch::exec::resolve_backend() == expected_auto);

  if (darch::exec::cuda_available()) {
    CHECK(darch::exec::resolve_backend(backend_kind::cuda) == backend_kind::cuda);
  } else {
    // Asking for cuda where there is none is an error that says why, never a silent fallback.
    REQUIRE_THROWS_AS(darch::exec::resolve_backend(backend_kind::cuda), std::runtime_error);
    try {
      (void)darch::exec::resolve_backend(backend_kind::cuda);
    } catch (const std::runtime_error& e) {
      const std::string what = e.what();
      CHECK(what.find("cuda backend was requested but is unavailable") != std::string::npos);
      CHECK(what.find(darch::exec::cuda_status().reason) != std::string::npos);
    }
  }
}

TEST_CASE("exec::resolve_backend: DARCH_BACKEND overrides the request", "[exec][backend]") {
  SECTION("cpu wins over an explicit cuda request") {
    const scoped_backend_env env("cpu");
    CHECK(darch::exec::resolve_backend(backend_kind::cuda) == backend_kind::cpu);
    CHECK(darch::exec::resolve_backend(backend_kind::automatic) == backend_kind::cpu);
  }
  SECTION("cuda from the environment obeys the same rule as an explicit request") {
    const scoped_backend_env env("cuda");
    if (darch::exec::cuda_available()) {
      CHECK(darch::exec::resolve_backend(backend_kind::cpu) == backend_kind::cuda);
    } else {
      CHECK_THROWS_AS(darch::exec::resolve_backend(backend_kind::cpu), std::runtime_error);
    }
  }
  SECTION("an empty value is ignored") {
    const scoped_backend_env env("");
    CHECK(darch::exec::resolve_backend(backend_kind::cpu) == backend_kind::cpu);
  }
  SECTION("an invalid value throws and names the variable") {
    const scoped_backend_env env("tpu");
    REQUIRE_THROWS_AS(darch::exec::resolve_backend(backend_kind::cpu), std::invalid_argument);
    try {
      (void)darch::exec::resolve_backend(backend_kind::cpu);
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      CHECK(what.find("'tpu'") != std::string::npos);
      CHECK(what.find("DARCH_BACKEND") != std::string::npos);
    }
  }
}
