// SPDX-License-Identifier: MIT
// Isolated evaluations: the worker process a search driver starts, feeds one evaluation at a
// time over a socket and kills when it overruns its hard limit; and the loop that process runs.
#include "darch/search/isolation.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "darch/search/detail/worker_process.hpp"

namespace darch::search {
namespace detail {
namespace {

using clock = std::chrono::steady_clock;

double seconds_since(clock::time_point t) {
  return std::chrono::duration<double>(clock::now() - t).count();
}

trial_result failed_result(std::string error) {
  trial_result r;
  r.status = trial_status::failed;
  r.error = std::move(error);
  return r;
}

/// "; the worker's memory limit is 512 MiB" when this process has an address-space limit.
std::string memory_limit_note() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return {};
  return "; the process's memory limit (RLIMIT_AS) is " + std::to_string(limit.rlim_cur >> 20) +
         " MiB";
}

/// How a child process ended, as a phrase after "it": "exited with code 3", "was killed by
/// signal 11 (SIGSEGV, Segmentation fault)".
std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = ::sigabbrev_np(sig);
    std::string text = "was killed by signal " + std::to_string(sig) + " (";
    if (abbrev != nullptr) text += std::string{"SIG"} + abbrev + ", ";
    return text + ::strsignal(sig) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

enum class read_status : std::uint8_t { line, eof, timeout };

/// Reads from `fd` until `pending` holds a whole line, which goes to `line` (without its
/// newline); waits at most until `deadline` (none when it is `clock::time_point::max()`).
read_status read_line(int fd, std::string& pending, std::string& line, clock::time_point deadline) {
  for (;;) {
    if (const std::size_t end = pending.find('\n'); end != std::string::npos) {
      line.assign(pending, 0, end);
      pending.erase(0, end + 1);
      return read_status::line;
    }
    int wait_ms = -1;
    if (deadline != clock::time_point::max()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0) return read_status::timeout;
      wait_ms = static_cast<int>(std::min<long long>(left, 60'000));
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno != EINTR)
      throw std::runtime_error(std::string{"poll on the worker channel: "} + std::strerror(errno));
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return read_status::eof;  // an error reads as the end: the peer is gone
    pending.append(buffer, static_cast<std::size_t>(got));
  }
}

/// Writes all of `text`; false if the peer is gone. On a socket with MSG_NOSIGNAL, so that a
/// peer that died gives an error here instead of SIGPIPE.
bool write_all(int fd, std::string_view text) {
  bool socket = true;
  while (!text.empty()) {
    ssize_t put = socket ? ::send(fd, text.data(), text.size(), MSG_NOSIGNAL) : -1;
    if (put < 0 && errno == ENOTSOCK) {
      socket = false;  // a pipe, when someone runs a worker by hand
      put = ::write(fd, text.data(), text.size());
    }
    if (put < 0 && errno == EINTR) continue;
    if (put <= 0) return false;
    text.remove_prefix(static_cast<std::size_t>(put));
  }
  return true;
}

constexpr std::string_view ready_line = "{\"ready\":true}\n";

/// How long a fresh worker may take to build its evaluator (load the data...) before it says
/// it is ready.
constexpr double startup_seconds = 600.0;

}  // namespace

trial_result evaluate_guarded(const evaluate_fn& evaluate, const proposal& p,
                              const trial_context& context) {
  trial_result r;
  try {
    r = evaluate(p, context);
  } catch (const std::bad_alloc&) {
    r = failed_result("out of memory (std::bad_alloc)" + memory_limit_note());
  } catch (const std::exception& e) {
    r = failed_result(e.what());
    if (r.error.empty()) r.error = "the evaluator threw an exception with an empty message";
  } catch (...) {
    r = failed_result("the evaluator threw something that is not a std::exception");
  }
  if (r.status == trial_status::ok && !std::isfinite(r.score)) {
    r.status = trial_status::diverged;
    r.score = std::numeric_limits<double>::quiet_NaN();
  }
  if (r.metrics.is_null()) r.metrics = nlohmann::json::object();
  if (!r.metrics.is_object()) r.metrics = nlohmann::json{{"value", std::move(r.metrics)}};
  if (!(r.seconds > 0.0) || !std::isfinite(r.seconds)) r.seconds = seconds_since(context.started);
  return r;
}

std::string encode_request(const proposal& p, const trial_context& context) {
  const nlohmann::json request = {{"id", p.id},
                                  {"choices", p.arch.choices},
                                  {"budget", p.budget},
                                  {"eval_data", context.eval_data.string()},
                                  {"time_limit", context.time_limit_seconds},
                                  {"worker", context.worker},
                                  {"redo", context.redo}};
  return request.dump() + '\n';
}

std::string handle_request(const evaluate_fn& evaluate, std::string_view request) {
  const nlohmann::json j = nlohmann::json::parse(request, nullptr, false);
  const auto field = [&](const char* key, bool ok) -> const nlohmann::json& {
    if (!j.is_object() || !j.contains(key) || !ok)
      throw std::invalid_argument("malformed evaluation request (field \"" + std::string{key} +
                                  "\"): " + std::string{request.substr(0, 200)});
    return j.at(key);
  };
  const auto has = [&](const char* key, bool (nlohmann::json::*is)() const noexcept) {
    return j.is_object() && j.contains(key) && (j.at(key).*is)();
  };
  proposal p;
  trial_context context;
  p.id = field("id", has("id", &nlohmann::json::is_number_unsigned)).get<std::uint64_t>();
  for (const nlohmann::json& c : field("choices", has("choices", &nlohmann::json::is_array))) {
    if (!c.is_number_unsigned() ||
        c.get<std::uint64_t>() > std::numeric_limits<std::uint32_t>::max())
      field("choices", false);
    p.arch.choices.push_back(c.get<std::uint32_t>());
  }
  p.budget = field("budget", has("budget", &nlohmann::json::is_number)).get<double>();
  context.id = p.id;
  context.eval_data =
      field("eval_data", has("eval_data", &nlohmann::json::is_string)).get<std::string>();
  context.time_limit_seconds =
      field("time_limit", has("time_limit", &nlohmann::json::is_number)).get<double>();
  context.worker =
      field("worker", has("worker", &nlohmann::json::is_number_unsigned)).get<std::size_t>();
  context.redo = field("redo", has("redo", &nlohmann::json::is_boolean)).get<bool>();
  context.started = clock::now();
  const trial_result r = evaluate_guarded(evaluate, p, context);
  // An error message may carry any bytes: replace what is not UTF-8 rather than fail.
  return to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + '\n';
}

worker_process::worker_process(isolation_options options, std::size_t index)
    : options_(std::move(options)), index_(index) {
  if (options_.command.empty())
    throw std::invalid_argument("isolation_options::command is empty: no worker program to run");
}

worker_process::~worker_process() {
  if (pid_ > 0) (void)stop(false);
}

void worker_process::start() {
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0)
    throw std::runtime_error(std::string{"cannot create the worker channel: "} +
                             std::strerror(errno));
  int exec_errors[2];  // the child reports a failed exec here; a successful one closes it
  if (::pipe2(exec_errors, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(ends[0]);
    ::close(ends[1]);
    throw std::runtime_error(std::string{"cannot create a pipe: "} + std::strerror(error));
  }
  // Everything the child needs is built before fork: after it, only async-signal-safe calls.
  std::vector<char*> argv;
  for (std::string& a : options_.command) argv.push_back(a.data());
  argv.push_back(nullptr);
  rlimit memory{};
  memory.rlim_cur = memory.rlim_max = static_cast<rlim_t>(options_.memory_limit_bytes);

  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // A worker dies with its search (a search killed with SIGKILL leaves no orphan training
    // on): the signal comes when the thread that started it ends, which the driver's threads
    // do only after their workers are done.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the search died before prctl
    ::dup2(ends[1], STDIN_FILENO);            // requests in, results out, over the one socket
    ::dup2(ends[1], STDOUT_FILENO);
    if (options_.memory_limit_bytes != 0) ::setrlimit(RLIMIT_AS, &memory);
    ::execv(argv[0], argv.data());
    const int error = errno;
    (void)!::write(exec_errors[1], &error, sizeof error);
    ::_exit(127);
  }
  const int fork_error = errno;
  ::close(ends[1]);
  ::close(exec_errors[1]);
  if (pid < 0) {
    ::close(ends[0]);
    ::close(exec_errors[0]);
    throw std::runtime_error(std::string{"cannot start a worker process (fork): "} +
                             std::strerror(fork_error));
  }
  pid_ = pid;
  socket_ = ends[0];
  pending_.clear();
  int exec_error = 0;
  ssize_t got = 0;
  do got = ::read(exec_errors[0], &exec_error, sizeof exec_error);
  while (got < 0 && errno == EINTR);
  ::close(exec_errors[0]);
  if (got == static_cast<ssize_t>(sizeof exec_error)) {
    (void)stop(false);
    throw std::runtime_error("cannot run the worker program " + options_.command.front() + ": " +
                             std::strerror(exec_error));
  }
  std::string line;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(
                                           std::chrono::duration<double>(startup_seconds));
  const read_status status = read_line(socket_, pending_, line, deadline);
  if (status == read_status::line && line + '\n' == ready_line) return;
  std::string how;
  if (status == read_status::eof) {
    how = "ended (it " + stop(false) + ")";
  } else if (status == read_status::timeout) {
    (void)stop(true);
    how = "was not ready after " + std::to_string(static_cast<int>(startup_seconds)) +
          " s and was killed";
  } else {
    (void)stop(true);
    how = "answered \"" + line.substr(0, 200) + "\" instead of saying it was ready";
  }
  throw std::runtime_error("the worker program " + options_.command.front() + " (worker " +
                           std::to_string(index_) + ") " + how +
                           " before evaluating anything; its messages, if any, are above");
}

std::string worker_process::stop(bool kill_it) {
  if (socket_ >= 0) ::close(socket_);  // a live worker reads the end of its requests and exits
  socket_ = -1;
  if (pid_ <= 0) return "was not running";
  int status = 0;
  if (kill_it) ::kill(pid_, SIGKILL);
  // A worker whose channel closed exits at once; give it a moment before killing it.
  for (int tries = 0;; ++tries) {
    const pid_t done = ::waitpid(pid_, &status, tries < 200 ? WNOHANG : 0);
    if (done == pid_) break;
    if (done < 0 && errno != EINTR) {
      pid_ = -1;
      return "could not be waited for (" + std::string{std::strerror(errno)} + ")";
    }
    if (tries == 200) ::kill(pid_, SIGKILL);
    if (tries < 200) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  std::string how = describe_exit(status);
  if (!kill_it && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
    how += "; not by darch: the kernel's out-of-memory killer, or a user";
  return how;
}

trial_result worker_process::evaluate(const proposal& p, const trial_context& context) {
  const clock::time_point sent = clock::now();
  const auto with_seconds = [&](trial_result r) {
    r.seconds = seconds_since(sent);
    return r;
  };
  if (pid_ <= 0) {
    try {
      start();
    } catch (const std::exception& e) {
      return with_seconds(failed_result(std::string{"isolated evaluation: "} + e.what()));
    }
  }
  std::string request;
  try {
    request = encode_request(p, context);
  } catch (const std::exception& e) {  // e.g. a path that is not UTF-8
    return with_seconds(
        failed_result("cannot encode the evaluation request: " + std::string{e.what()}));
  }
  if (!write_all(socket_, request))
    return with_seconds(
        failed_result("the worker process was gone before the evaluation: it " + stop(false)));
  const bool limited = options_.hard_limit_seconds > 0.0;
  const clock::time_point deadline =
      limited ? sent + std::chrono::duration_cast<clock::duration>(
                           std::chrono::duration<double>(options_.hard_limit_seconds))
              : clock::time_point::max();
  std::string line;
  switch (read_line(socket_, pending_, line, deadline)) {
    case read_status::line: break;
    case read_status::eof:
      return with_seconds(
          failed_result("the worker process died during the evaluation: it " + stop(false)));
    case read_status::timeout: {
      (void)stop(true);
      trial_result r;
      r.status = trial_status::timeout;
      char limit[32];
      std::snprintf(limit, sizeof limit, "%g", options_.hard_limit_seconds);
      r.error = std::string{"killed at the hard time limit of "} + limit +
                " s (the worker process did not answer)";
      return with_seconds(std::move(r));
    }
  }
  try {
    return trial_result_from_json(nlohmann::json::parse(line));
  } catch (const std::exception& e) {
    const std::string how = stop(true);
    return with_seconds(failed_result("the worker process answered with a malformed result (" +
                                      std::string{e.what()} + "); it was stopped: it " + how));
  }
}

}  // namespace detail

worker_factory process_workers(isolation_options options) {
  return [options = std::move(options)](std::size_t index) -> std::unique_ptr<evaluation_worker> {
    return std::make_unique<detail::worker_process>(options, index);
  };
}

int serve_evaluations(const evaluate_fn& evaluate) {
  // Standard output becomes the driver's channel alone: stray prints go to standard error.
  std::fflush(stdout);
  const int channel = ::dup(STDOUT_FILENO);
  if (channel < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    std::fprintf(stderr, "darch worker: cannot set up the channel: %s\n", std::strerror(errno));
    return 2;
  }
  if (!detail::write_all(channel, detail::ready_line)) return 0;
  std::string pending;
  std::string request;
  while (detail::read_line(STDIN_FILENO, pending, request, detail::clock::time_point::max()) ==
         detail::read_status::line) {
    std::string result;
    try {
      result = detail::handle_request(evaluate, request);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "darch worker: %s\n", e.what());
      return 2;
    }
    if (!detail::write_all(channel, result)) return 0;  // the driver is gone
  }
  return 0;
}

}  // namespace darch::search
