#include "reference_provisioner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <filesystem>

#include "core/tar.h"

namespace ws::contract {
namespace {

// What templates/default/start.sh and install.sh forward into /configs/.env.
constexpr std::array kProviderKeys = {"ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY",
                                      "S3_ACCESS_KEY_ID"};

Error unavailable() { return {Errc::backend_unavailable, "reference backend: not wired"}; }

/// A host process with its stdin and merged stdout/stderr on pipes.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      dup2(out[1], 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execvp(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    in_ = in[1];
    out_ = out[0];
  }
  ~Child() {
    closeInput();
    if (out_ >= 0) close(out_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      wait();
    }
  }
  bool started() const { return pid_ > 0; }
  bool write(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(in_, data.data(), data.size());
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  void closeInput() {
    if (in_ >= 0) close(in_);
    in_ = -1;
  }
  /// Output as it comes; "" at end of output.
  std::string read() {
    char buf[4096];
    const ssize_t n = ::read(out_, buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
  }
  int wait() {
    int status = 0;
    if (pid_ > 0 && waitpid(pid_, &status, 0) == pid_) pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  void terminate() {
    if (pid_ > 0) kill(pid_, SIGKILL);
  }

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
};

class ShellTerminal final : public Terminal {
 public:
  ShellTerminal() : shell_({"/bin/sh"}) {}
  Result<std::string> read() override {
    if (closed_) return std::string();
    return shell_.read();
  }
  Result<> write(std::string_view input) override {
    if (!shell_.write(input)) return Error{Errc::backend_error, "reference terminal: the shell has ended"};
    return {};
  }
  void close() override {
    closed_ = true;
    shell_.terminate();
  }
  bool started() const { return shell_.started(); }

 private:
  Child shell_;
  std::atomic<bool> closed_{false};
};

bool safePath(const std::string& p) {
  if (p.empty() || p.front() != '/') return false;
  for (const auto& part : std::filesystem::path(p))
    if (part == "..") return false;
  return true;
}

std::string join(const std::string& dir, const std::string& rel) {
  return (std::filesystem::path(dir) / rel).lexically_normal().string();
}

}  // namespace

Result<> ReferenceProvisioner::requireRunning(const std::string& workspace_id) const {
  if (!running_.contains(workspace_id)) return Error{Errc::not_found, "reference: workspace " + workspace_id + " is not running"};
  return {};
}

Result<StartResult> ReferenceProvisioner::start(const WorkspaceConfig& c) {
  if (!wired_) return unavailable();
  if (c.workspace_id.empty()) return Error{Errc::invalid_argument, "reference: no workspace id"};
  if (c.on_address) c.on_address("http://127.0.0.1:0");
  std::lock_guard lock(mutex_);
  auto& files = files_[c.workspace_id];
  for (const auto& [rel, content] : c.config_files) files[join("/configs", rel)] = content;
  std::string env_file;
  for (const char* key : kProviderKeys)
    if (auto it = c.env.find(key); it != c.env.end() && !it->second.empty()) env_file += std::string(key) + "=" + it->second + "\n";
  files["/configs/.env"] = env_file;
  boot_logs_[c.workspace_id] += "reference: booting workspace " + c.workspace_id + "\n";
  running_.insert(c.workspace_id);
  return StartResult{"http://127.0.0.1:0", ""};
}

Result<> ReferenceProvisioner::stop(const std::string& workspace_id) {
  if (!wired_) return unavailable();
  std::lock_guard lock(mutex_);
  running_.erase(workspace_id);
  return {};
}

Liveness ReferenceProvisioner::isRunning(const std::string& workspace_id) {
  if (!wired_) return {true, unavailable()};
  std::lock_guard lock(mutex_);
  return {running_.contains(workspace_id), std::nullopt};
}

Result<std::string> ReferenceProvisioner::bootLog(const std::string& workspace_id) {
  if (!wired_) return unavailable();
  std::lock_guard lock(mutex_);
  auto it = boot_logs_.find(workspace_id);
  if (it == boot_logs_.end()) return Error{Errc::not_found, "reference: no workspace " + workspace_id};
  return it->second;
}

Result<ExecResult> ReferenceProvisioner::exec(const std::string& workspace_id, const std::vector<std::string>& argv,
                                              const std::string& stdin_data) {
  if (!wired_) return unavailable();
  if (argv.empty()) return Error{Errc::invalid_argument, "reference: empty command"};
  {
    std::lock_guard lock(mutex_);
    if (auto ok = requireRunning(workspace_id); !ok) return ok.error();
  }
  Child child(argv);
  if (!child.started()) return Error{Errc::backend_error, "reference: cannot start " + argv[0]};
  child.write(stdin_data);
  child.closeInput();
  ExecResult r;
  for (std::string chunk; !(chunk = child.read()).empty();) r.output += chunk;
  r.exit_code = child.wait();
  return r;
}

Result<std::string> ReferenceProvisioner::readArchive(const std::string& workspace_id, const std::string& path) {
  if (!wired_) return unavailable();
  if (!safePath(path)) return Error{Errc::invalid_argument, "reference: bad path " + path};
  std::lock_guard lock(mutex_);
  const std::string want = std::filesystem::path(path).lexically_normal().string();
  const std::string base = std::filesystem::path(want).filename().string();
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [file, content] : files_[workspace_id]) {
    if (file == want) entries.emplace_back(base, content);
    else if (file.rfind(want + "/", 0) == 0) entries.emplace_back(base + file.substr(want.size()), content);
  }
  if (entries.empty()) return Error{Errc::not_found, "reference: no such path " + path};
  return makeTar(filesToTarEntries(entries));
}

Result<> ReferenceProvisioner::writeArchive(const std::string& workspace_id, const std::string& path, const std::string& tar) {
  if (!wired_) return unavailable();
  if (!safePath(path)) return Error{Errc::invalid_argument, "reference: bad path " + path};
  auto entries = readTar(tar);
  if (!entries) return entries.error();
  std::lock_guard lock(mutex_);
  if (auto ok = requireRunning(workspace_id); !ok) return ok.error();
  for (const auto& e : *entries) {
    if (e.directory) continue;
    const std::string target = join(path, e.path);
    if (!safePath(target) || target.rfind(path, 0) != 0) return Error{Errc::invalid_argument, "reference: entry escapes " + path};
    files_[workspace_id][target] = e.content;
  }
  return {};
}

Result<TerminalPtr> ReferenceProvisioner::openTerminal(const std::string& workspace_id) {
  if (!wired_) return unavailable();
  {
    std::lock_guard lock(mutex_);
    if (auto ok = requireRunning(workspace_id); !ok) return ok.error();
  }
  auto t = std::make_shared<ShellTerminal>();
  if (!t->started()) return Error{Errc::backend_error, "reference: cannot start a shell"};
  return TerminalPtr(t);
}

Result<std::vector<std::string>> ReferenceProvisioner::listManaged() {
  if (!wired_) return unavailable();
  std::lock_guard lock(mutex_);
  return std::vector<std::string>(running_.begin(), running_.end());
}

Result<> ReferenceProvisioner::removeVolumes(const std::string& workspace_id) {
  if (!wired_) return unavailable();
  std::lock_guard lock(mutex_);
  files_.erase(workspace_id);
  return {};
}

void ReferenceProvisioner::kill(const std::string& workspace_id) {
  std::lock_guard lock(mutex_);
  running_.erase(workspace_id);
}

}  // namespace ws::contract
