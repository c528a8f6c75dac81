#include "instances.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "core/tar.h"

namespace cpemu {

namespace fs = std::filesystem;
using ws::Errc;
using ws::makeError;

namespace {

std::string newInstanceId() {
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "i-";
  for (int i = 0; i < 17; ++i) id.push_back(kHex[rng() % 16]);
  return id;
}

std::vector<char*> cstrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// A command prepared before fork(): after fork in a threaded process only async-signal-safe
// calls are allowed, so the child must not allocate.
struct Prepared {
  std::string root;
  std::string cwd;
  std::vector<std::string> argv_storage, env_storage, candidates;
  std::vector<char*> argv, env;

  Prepared(const fs::path& r, std::string dir, std::vector<std::string> a, std::vector<std::string> e)
      : root(r.string()), cwd(std::move(dir)), argv_storage(std::move(a)), env_storage(std::move(e)) {
    argv = cstrings(argv_storage);
    env = cstrings(env_storage);
    const std::string& cmd = argv_storage.front();
    if (cmd.find('/') == std::string::npos) {  // PATH lookup inside the instance
      candidates = {"/usr/local/bin/" + cmd, "/bin/" + cmd};
    } else {
      candidates = {cmd};
    }
  }

  // In the forked child: enter the instance and exec. Never returns.
  [[noreturn]] void exec() const {
    // The emulator blocks its shutdown signals in every thread (see ws::blockShutdownSignals);
    // the mask survives exec, so without this an instance would never see SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, nullptr);  // ignored dispositions survive exec too
    if (chroot(root.c_str()) != 0) _exit(126);
    if (chdir(cwd.c_str()) != 0 && chdir("/") != 0) _exit(126);
    for (const auto& c : candidates) execve(c.c_str(), argv.data(), env.data());
    _exit(127);
  }
};

bool portFree(const std::string& ip, unsigned short port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &addr.sin_addr);
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return free;
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

InstanceManager::InstanceManager(fs::path data_dir, fs::path base_rootfs, std::string user_data,
                                 std::chrono::milliseconds boot_delay)
    : data_dir_(std::move(data_dir)),
      base_rootfs_(std::move(base_rootfs)),
      user_data_(std::move(user_data)),
      boot_delay_(boot_delay) {
  reaper_ = std::thread([this] { reap(); });
}

InstanceManager::~InstanceManager() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  reaper_.join();
  std::vector<Instance> all;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, i] : instances_)
      if (i.pid > 0) kill(-i.pid, SIGKILL);
  }
}

// Walks pending -> running after the boot delay, and notices process trees that ended.
void InstanceManager::reap() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      const auto now = std::chrono::steady_clock::now();
      for (auto& [id, i] : instances_) {
        if (i.pid <= 0) continue;
        int status = 0;
        if (waitpid(i.pid, &status, WNOHANG) == i.pid) {
          i.pid = -1;
          if (i.state == "pending" || i.state == "running") i.state = "stopped";
          continue;
        }
        if (i.state == "pending" && now - i.launched >= boot_delay_) i.state = "running";
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ws::Result<Instance> InstanceManager::provision(const ProvisionRequest& r) {
  Instance inst;
  {
    // The next loopback address whose port 8000 is free (other emulators may share the host).
    std::lock_guard lock(mutex_);
    for (;;) {
      if (next_ip_ >= 65535) return makeError(Errc::rate_limited, "no private addresses left");
      const unsigned n = next_ip_++;
      // Each emulator takes its own /16 (by pid) so that emulators sharing a host do not race.
      static const unsigned block = 100 + static_cast<unsigned>(getpid()) % 100;
      const std::string ip = "127." + std::to_string(block) + "." + std::to_string(n >> 8) + "." + std::to_string(n & 255);
      if (portFree(ip, 8000)) {
        inst.private_ip = ip;
        break;
      }
    }
  }
  inst.instance_id = newInstanceId();
  inst.workspace_id = r.workspace_id;
  inst.org_id = r.org_id;
  inst.root = data_dir_ / inst.instance_id / "root";
  inst.console = data_dir_ / inst.instance_id / "console.log";
  std::lock_guard spawn(spawn_mutex_);
  std::error_code ec;
  fs::create_directories(inst.root.parent_path(), ec);
  // Binaries are hard links to the base (nothing is written); directories are the instance's own.
  fs::copy(base_rootfs_, inst.root,
           fs::copy_options::recursive | fs::copy_options::copy_symlinks | fs::copy_options::create_hard_links, ec);
  if (ec) return makeError(Errc::internal, "cannot create the instance root: " + ec.message());

  // Config files land before boot: injection is synchronous.
  for (const auto& [rel, content] : r.config_files) {
    auto target = inside(inst, "/configs/" + rel);
    if (!target) return target.error();
    fs::create_directories(target->parent_path(), ec);
    std::ofstream(*target, std::ios::binary) << content;
    if (rel == ".auth_token") chmod(target->c_str(), 0600);
  }
  std::ofstream(inst.root / "var/lib-user-data.sh") << user_data_;

  std::vector<std::string> env{"PATH=/usr/local/bin:/bin",
                               "HOME=/root",
                               "WORKSPACE_ID=" + r.workspace_id,
                               "WORKSPACE_CONFIG_PATH=/configs",
                               "PLATFORM_URL=" + r.platform_url,
                               "MOLECULE_URL=" + r.platform_url,
                               "TIER=" + std::to_string(r.tier),
                               "RUNTIME=" + r.runtime,
                               "AGENT_HOST=" + inst.private_ip,
                               "AGENT_PORT=8000",
                               "AGENT_URL=http://" + inst.private_ip + ":8000"};
  for (const auto& [k, v] : r.env) env.push_back(k + "=" + v);

  const Prepared boot(inst.root, "/", {"/bin/sh", "/var/lib-user-data.sh"}, env);
  const int console = open(inst.console.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (console < 0) return makeError(Errc::internal, "cannot open the console log");
  const pid_t pid = fork();
  if (pid < 0) {
    close(console);
    return makeError(Errc::internal, "fork failed");
  }
  if (pid == 0) {
    setsid();  // its own process group: terminate kills the whole tree
    const int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(console, 1);
    dup2(console, 2);
    boot.exec();
  }
  close(console);
  inst.pid = pid;
  inst.state = "pending";
  inst.launched = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  instances_[inst.instance_id] = inst;
  return inst;
}

ws::Result<> InstanceManager::crash(const std::string& workspace_id) {
  std::lock_guard lock(mutex_);
  for (auto& [id, i] : instances_)
    if (i.workspace_id == workspace_id && (i.state == "running" || i.state == "pending") && i.pid > 0) {
      kill(-i.pid, SIGKILL);
      return {};
    }
  return makeError(Errc::not_found, "no live instance of workspace " + workspace_id);
}

ws::Result<std::vector<Instance>> InstanceManager::terminate(const std::string& workspace_id,
                                                             const std::string& instance_id) {
  std::vector<std::string> ids;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, i] : instances_) {
      if (i.workspace_id != workspace_id || (!instance_id.empty() && id != instance_id)) continue;
      if (i.state == "terminated") continue;
      i.state = "shutting-down";
      ids.push_back(id);
    }
  }
  if (ids.empty()) return makeError(Errc::not_found, "no such instance");
  std::vector<Instance> out;
  for (const auto& id : ids) {
    pid_t pid;
    {
      std::lock_guard lock(mutex_);
      pid = instances_[id].pid;
    }
    if (pid > 0) {
      kill(-pid, SIGTERM);
      for (int t = 0; t < 250; ++t) {  // 5 s grace, then SIGKILL
        {
          std::lock_guard lock(mutex_);
          if (instances_[id].pid <= 0) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      kill(-pid, SIGKILL);
    }
    std::lock_guard lock(mutex_);
    Instance& i = instances_[id];
    i.state = "terminated";
    std::error_code ec;
    fs::remove_all(i.root, ec);  // instance storage ends with the instance
    out.push_back(i);
  }
  return out;
}

ws::Result<Instance> InstanceManager::find(const std::string& workspace_id, const std::string& instance_id) {
  std::lock_guard lock(mutex_);
  auto it = instances_.find(instance_id);
  if (it == instances_.end() || it->second.workspace_id != workspace_id) return makeError(Errc::not_found, "no such instance");
  return it->second;
}

ws::Result<Instance> InstanceManager::live(const std::string& workspace_id, const std::string& instance_id) {
  auto i = find(workspace_id, instance_id);
  if (!i) return i;
  if (i->state != "running" && i->state != "pending") return makeError(Errc::not_found, "instance is " + i->state);
  return i;
}

ws::Result<std::string> InstanceManager::console(const std::string& workspace_id) {
  fs::path latest;
  std::chrono::steady_clock::time_point when{};
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, i] : instances_)
      if (i.workspace_id == workspace_id && i.launched >= when) {
        latest = i.console;
        when = i.launched;
      }
  }
  if (latest.empty()) return makeError(Errc::not_found, "no instance for this workspace");
  std::string out = readFile(latest);
  constexpr std::size_t kMax = 200 * 1024;  // a serial console keeps its tail
  if (out.size() > kMax) out = out.substr(out.size() - kMax);
  return out;
}

ws::Result<fs::path> InstanceManager::inside(const Instance& i, const std::string& path) {
  if (path.empty() || path.front() != '/') return makeError(Errc::invalid_argument, "path must be absolute");
  const fs::path p = fs::path(path).lexically_normal();
  for (const auto& part : p)
    if (part == "..") return makeError(Errc::invalid_argument, "path must not leave the instance");
  const fs::path full = (i.root / p.relative_path()).lexically_normal();
  // Symlinks inside the instance must not point the host path outside its root.
  std::error_code ec;
  const fs::path real = fs::weakly_canonical(full, ec);
  const fs::path root = fs::weakly_canonical(i.root, ec);
  const auto rel = real.lexically_relative(root);
  if (ec || rel.empty() || *rel.begin() == "..") return makeError(Errc::invalid_argument, "path must not leave the instance");
  return full;
}

ws::Result<ws::ExecResult> InstanceManager::exec(const std::string& workspace_id, const std::string& instance_id,
                                                 const std::vector<std::string>& argv, const std::string& stdin_data) {
  auto i = live(workspace_id, instance_id);
  if (!i) return i.error();
  if (argv.empty()) return makeError(Errc::invalid_argument, "argv is empty");
  const Prepared command(i->root, "/workspace", argv,
                         {"PATH=/usr/local/bin:/bin", "HOME=/root", "WORKSPACE_ID=" + workspace_id});
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return makeError(Errc::internal, "pipe failed");
  std::unique_lock spawn(spawn_mutex_);
  const pid_t pid = fork();
  spawn.unlock();
  if (pid < 0) return makeError(Errc::internal, "fork failed");
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(out[1], 2);
    command.exec();
  }
  close(in[0]);
  close(out[1]);
  signal(SIGPIPE, SIG_IGN);
  std::size_t written = 0;
  while (written < stdin_data.size()) {
    const ssize_t n = write(in[1], stdin_data.data() + written, stdin_data.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  close(in[1]);
  std::string output;
  char buf[65536];
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  pollfd pfd{out[0], POLLIN, 0};
  while (std::chrono::steady_clock::now() < deadline) {
    if (poll(&pfd, 1, 200) <= 0) continue;
    const ssize_t n = read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    output.append(buf, static_cast<std::size_t>(n));
  }
  close(out[0]);
  int status = 0;
  pid_t done = 0;
  while ((done = waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (done == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return makeError(Errc::timeout, "exec did not finish within 60 s");
  }
  return ws::ExecResult{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output};
}

ws::Result<std::string> InstanceManager::readArchive(const std::string& workspace_id, const std::string& instance_id,
                                                     const std::string& path) {
  auto i = live(workspace_id, instance_id);
  if (!i) return i.error();
  auto full = inside(*i, path);
  if (!full) return full.error();
  std::error_code ec;
  if (!fs::exists(*full, ec)) return makeError(Errc::not_found, "no such path: " + path);
  // Like the Engine API: entries are named from the basename of the requested path.
  const std::string base = full->filename().empty() ? "root" : full->filename().string();
  std::vector<ws::TarEntry> entries;
  auto add = [&](const fs::path& p, const std::string& name) {
    if (fs::is_directory(p)) entries.push_back({name, "", 0755, true});
    else if (fs::is_regular_file(p)) {
      struct stat st{};
      stat(p.c_str(), &st);
      entries.push_back({name, readFile(p), static_cast<unsigned>(st.st_mode & 07777), false});
    }
  };
  add(*full, base);
  if (fs::is_directory(*full))
    for (auto it = fs::recursive_directory_iterator(*full, ec); it != fs::recursive_directory_iterator(); ++it)
      add(it->path(), base + "/" + it->path().lexically_relative(*full).string());
  return ws::makeTar(entries);
}

ws::Result<> InstanceManager::writeArchive(const std::string& workspace_id, const std::string& instance_id,
                                           const std::string& path, const std::string& tar) {
  auto i = live(workspace_id, instance_id);
  if (!i) return i.error();
  auto dir = inside(*i, path);
  if (!dir) return dir.error();
  std::error_code ec;
  if (!fs::is_directory(*dir, ec)) return makeError(Errc::not_found, "no such directory: " + path);
  auto entries = ws::readTar(tar);
  if (!entries) return entries.error();
  std::lock_guard spawn(spawn_mutex_);
  for (const auto& e : *entries) {
    auto target = inside(*i, (fs::path(path) / e.path).string());
    if (!target) return target.error();
    if (e.directory) {
      fs::create_directories(*target, ec);
      continue;
    }
    fs::create_directories(target->parent_path(), ec);
    fs::remove(*target, ec);  // a new inode: never write through a link shared with the base
    std::ofstream(*target, std::ios::binary | std::ios::trunc) << e.content;
    chmod(target->c_str(), e.mode);
  }
  return {};
}

namespace {

// A shell on a pseudo-terminal; closing kills its process group, which ends read().
class PtyTerminal final : public ws::Terminal {
 public:
  PtyTerminal(int master, pid_t pid) : master_(master), pid_(pid) {}
  ~PtyTerminal() override {
    close();
    ::close(master_);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  ws::Result<std::string> read() override {
    char buf[16384];
    const ssize_t n = ::read(master_, buf, sizeof buf);
    if (n <= 0) return std::string();  // EIO once the shell is gone
    return std::string(buf, static_cast<std::size_t>(n));
  }
  ws::Result<> write(std::string_view input) override {
    while (!input.empty()) {
      const ssize_t n = ::write(master_, input.data(), input.size());
      if (n <= 0) return makeError(Errc::backend_error, "terminal write failed");
      input.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }
  void close() override { kill(-pid_, SIGKILL); }

 private:
  int master_;
  pid_t pid_;
};

}  // namespace

ws::Result<ws::TerminalPtr> InstanceManager::openTerminal(const std::string& workspace_id,
                                                          const std::string& instance_id) {
  auto i = live(workspace_id, instance_id);
  if (!i) return i.error();
  const Prepared shell(i->root, "/workspace", {"/bin/sh"},
                       {"PATH=/usr/local/bin:/bin", "HOME=/root", "TERM=xterm", "WORKSPACE_ID=" + workspace_id});
  int master = -1;
  std::unique_lock spawn(spawn_mutex_);
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid > 0) spawn.unlock();
  if (pid < 0) return makeError(Errc::internal, "forkpty failed");
  if (pid == 0) shell.exec();  // forkpty made it a session leader on the pty
  return ws::TerminalPtr(std::make_shared<PtyTerminal>(master, pid));
}

std::vector<Instance> InstanceManager::list(const std::string& org_id) {
  std::lock_guard lock(mutex_);
  std::vector<Instance> out;
  for (const auto& [id, i] : instances_)
    if (org_id.empty() || i.org_id == org_id) out.push_back(i);
  return out;
}

}  // namespace cpemu
