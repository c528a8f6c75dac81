// The parity-* checks run in-process on in-memory sources through the real clang-tidy
// pipeline (registry, options, NOLINT), with virtual file names for allowlist tests.

#include <gtest/gtest.h>

#include "clang-tidy/ClangTidy.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/VirtualFileSystem.h"

#include <map>
#include <string>
#include <vector>

namespace {

using clang::tidy::ClangTidyError;

const char* kBackend = R"cpp(
#include <memory>
#include <string>
namespace ws {
struct Provisioner {
  virtual ~Provisioner() = default;
  virtual int start(const std::string&) = 0;
  virtual int stop(const std::string&) = 0;
  virtual int exec(const std::string&) = 0;
};
struct Docker : Provisioner {
  int start(const std::string&) override { return 0; }
  int stop(const std::string&) override { return 0; }
  int exec(const std::string&) override { return 0; }
};
struct Clock { void start(const std::string&) {} void stop(const std::string&) {} };
struct Handler {
  std::shared_ptr<Provisioner> cp;
  Docker* docker = nullptr;
  bool hasProvisioner() const { return cp || docker; }
  int stopWorkspaceAuto(const std::string& id);
};
}  // namespace ws
)cpp";

struct Finding {
  std::string check;
  unsigned line;
  std::string message;
};

// The checks name nothing by default; the tests configure this project's names (as its
// .clang-tidy does), and each test may override or (with `bare`) drop them.
const std::map<std::string, std::string> kProjectOptions = {
    {"parity-direct-backend-call.InterfaceName", "::ws::Provisioner"},
    {"parity-direct-backend-call.MethodNames", "start;stop;isRunning;bootLog;exec"},
    {"parity-direct-backend-call.AllowedFiles", "workspace_service\\.cpp$;/backends/"},
    {"parity-direct-backend-call.DispatcherClass", "WorkspaceService"},
    {"parity-direct-backend-call.DispatcherSuffix", "Auto"},
    {"parity-direct-backend-call.Dispatchers", "start=provisionWorkspaceAuto;stop=stopWorkspaceAuto"},
    {"parity-bare-backend-null-check.InterfaceName", "::ws::Provisioner"},
    {"parity-bare-backend-null-check.AllowedFunctions", "hasProvisioner"},
    {"parity-provisioning-gate.GateFunction", "hasProvisioner"},
    {"parity-bespoke-dispatch.InterfaceName", "::ws::Provisioner"},
    {"parity-bespoke-dispatch.MethodNames", "start;stop;isRunning;bootLog;exec"},
    {"parity-bespoke-dispatch.DispatcherSuffix", "Auto"},
    {"parity-bespoke-dispatch.DispatcherClass", "WorkspaceService"},
};

std::vector<Finding> lint(const std::string& code, const std::string& path = "/src/handlers.cpp",
                          const std::map<std::string, std::string>& options = {}, bool bare = false) {
  clang::tidy::ClangTidyOptions opts = clang::tidy::ClangTidyOptions::getDefaults();
  opts.Checks = "-*,parity-*";
  if (!bare)
    for (const auto& [k, v] : kProjectOptions) opts.CheckOptions[k] = clang::tidy::ClangTidyOptions::ClangTidyValue(v);
  for (const auto& [k, v] : options) opts.CheckOptions[k] = clang::tidy::ClangTidyOptions::ClangTidyValue(v);
  clang::tidy::ClangTidyContext context(
      std::make_unique<clang::tidy::DefaultOptionsProvider>(clang::tidy::ClangTidyGlobalOptions(), opts));
  llvm::IntrusiveRefCntPtr<llvm::vfs::OverlayFileSystem> fs(
      new llvm::vfs::OverlayFileSystem(llvm::vfs::getRealFileSystem()));
  llvm::IntrusiveRefCntPtr<llvm::vfs::InMemoryFileSystem> memory(new llvm::vfs::InMemoryFileSystem);
  fs->pushOverlay(memory);
  const std::string source = std::string(kBackend) + code;
  memory->addFile(path, 0, llvm::MemoryBuffer::getMemBufferCopy(source));
  clang::tooling::FixedCompilationDatabase db("/", {"-std=c++20", "-resource-dir=" PARITY_CLANG_RESOURCE_DIR});
  auto errors = clang::tidy::runClangTidy(context, db, {path}, fs, false);
  const unsigned base = static_cast<unsigned>(std::count(kBackend, kBackend + std::strlen(kBackend), '\n'));
  std::vector<Finding> out;
  for (const ClangTidyError& e : errors) {
    if (e.DiagnosticName.rfind("parity-", 0) != 0) {
      ADD_FAILURE() << "unexpected diagnostic " << e.DiagnosticName << ": " << e.Message.Message;
      continue;
    }
    const unsigned line =
        static_cast<unsigned>(std::count(source.begin(), source.begin() + e.Message.FileOffset, '\n')) + 1 - base;
    out.push_back({e.DiagnosticName, line, e.Message.Message});
  }
  return out;
}

std::vector<std::string> checksOf(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.check);
  return out;
}

// The findings of one check, as line numbers.
std::vector<unsigned> linesOf(const std::vector<Finding>& fs, const std::string& check) {
  std::vector<unsigned> out;
  for (const auto& f : fs)
    if (f.check == check) out.push_back(f.line);
  return out;
}

const std::string kBespoke = "parity-bespoke-dispatch";
const std::string kBareNull = "parity-bare-backend-null-check";

TEST(DirectBackendCall, FlagsCallsThroughEveryHandleKind) {
  auto f = lint(R"cpp(
namespace ws {
void a(Handler& h) { h.cp->stop("x"); }
void b(Handler& h) { h.docker->start("x"); }
void c(Provisioner& p) { p.exec("x"); }
void d(Handler& h) { auto go = [&] { h.docker->stop("y"); }; go(); }
template <class P> void e(P& p) { p.stop("z"); }
void f(Docker& d) { e(d); }
void g(Handler& h) { (h.docker->*(&Provisioner::stop))("m"); }
}
)cpp");
  std::vector<unsigned> lines;
  for (const auto& x : f) lines.push_back(x.line);
  // a, b, c, the lambda in d, the instantiation of e (reported in its body), and g's member
  // pointer; f only calls the template.
  EXPECT_EQ(lines, (std::vector<unsigned>{3, 4, 5, 6, 7, 9}));
  for (const auto& x : f) EXPECT_EQ(x.check, "parity-direct-backend-call") << x.message;
  EXPECT_NE(f[0].message.find("stopWorkspaceAuto"), std::string::npos);
  EXPECT_NE(f[1].message.find("provisionWorkspaceAuto"), std::string::npos);
  EXPECT_NE(f[2].message.find("execAuto"), std::string::npos);
}

TEST(DirectBackendCall, UnrelatedClassesAndAllowlistedFilesAreQuiet) {
  EXPECT_TRUE(lint(R"cpp(
namespace ws { void a(Clock& c) { c.start("x"); c.stop("x"); } }
)cpp").empty());
  const std::string dispatcher = R"cpp(
namespace ws { int Handler::stopWorkspaceAuto(const std::string& id) { return cp ? cp->stop(id) : 0; } }
)cpp";
  EXPECT_TRUE(lint(dispatcher, "/src/runtime/src/service/workspace_service.cpp").empty());
  EXPECT_EQ(lint(dispatcher, "/src/runtime/src/handlers/other.cpp").size(), 1u);
  EXPECT_EQ(lint(dispatcher, "/src/runtime/src/service/workspace_service.cpp",
                 {{"parity-direct-backend-call.AllowedFiles", ""}})
                .size(),
            1u)
      << "emptying the allowlist exposes the dispatcher's own calls";
}

TEST(DirectBackendCall, MethodNamesAreConfigurable) {
  const std::string code = R"cpp(
namespace ws { void a(Handler& h) { h.cp->exec("x"); h.cp->stop("x"); } }
)cpp";
  EXPECT_EQ(lint(code).size(), 2u);
  auto only_stop = lint(code, "/src/h.cpp", {{"parity-direct-backend-call.MethodNames", "stop"}});
  ASSERT_EQ(only_stop.size(), 1u);
  EXPECT_NE(only_stop[0].message.find("'stop'"), std::string::npos);
}

TEST(DirectBackendCall, NolintSuppresses) {
  EXPECT_TRUE(lint(R"cpp(
namespace ws { void a(Handler& h) { h.cp->stop("x"); }  // NOLINT(parity-direct-backend-call)
}
)cpp").empty());
}

TEST(BareNullCheck, AllShapes) {
  auto f = lint(R"cpp(
namespace ws {
bool a(Handler& h) { return h.cp == nullptr && h.docker == nullptr; }
bool b(Handler& h) { return !h.cp && !h.docker; }
bool c(Handler& h, bool x) { return x && h.cp == nullptr && h.docker == nullptr; }
bool d(Handler& h) { return !(h.cp || h.docker); }
bool e(Handler& h) { return nullptr == h.cp && (h.docker == nullptr && true); }
bool ok1(Handler& h) { return h.cp == nullptr && true; }
bool ok2(Handler& h) { return !h.hasProvisioner(); }
}
)cpp");
  ASSERT_EQ(checksOf(f), std::vector<std::string>(5, "parity-bare-backend-null-check"));
  EXPECT_EQ(f[0].line, 3u);
  EXPECT_EQ(f[4].line, 7u);
  EXPECT_NE(f[3].message.find("hasProvisioner()"), std::string::npos);
}

TEST(BareNullCheck, NullTestsThroughGet) {
  auto f = lint(R"cpp(
namespace ws {
struct Owner {
  std::shared_ptr<Provisioner> cp_;
  std::unique_ptr<Docker> docker_;
  bool none() const { return !cp_.get() && !docker_.get(); }
  bool none2() const { return cp_.get() == nullptr && nullptr == docker_.get(); }
  bool some() const { return cp_.get() != nullptr || docker_.get(); }
  bool hasProvisioner() const { return cp_.get() || docker_.get(); }
  bool onlyCp() const { return cp_.get() == nullptr; }
  bool cpOrFlag(bool x) const { return cp_.get() || x; }
};
bool mixed(Handler& h) { return h.cp.get() == nullptr && !h.docker; }
}
)cpp");
  EXPECT_EQ(linesOf(f, kBareNull), (std::vector<unsigned>{6, 7, 8, 13}));
  EXPECT_EQ(f.size(), 4u) << "hasProvisioner() may test through .get(); one handle or a flag is no bare test";
}

TEST(BareNullCheck, HasProvisionerItselfIsAllowed) {
  // kBackend's own hasProvisioner() is `cp || docker`: allowed by name.
  EXPECT_TRUE(lint("").empty());
  auto f = lint("", "/src/h.cpp", {{"parity-bare-backend-null-check.AllowedFunctions", "nothing"}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].check, "parity-bare-backend-null-check");
}

TEST(ProvisioningGate, ListedFunctionsMustGate) {
  const std::string code = R"cpp(
namespace ws {
int importOrg(Handler& h) { return h.docker ? 1 : 0; }
int importOrgGated(Handler& h) { if (!h.hasProvisioner()) return 0; return 1; }
}
)cpp";
  auto f = lint(code, "/src/h.cpp", {{"parity-provisioning-gate.Functions", "::ws::importOrg;::ws::importOrgGated"}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].check, "parity-provisioning-gate");
  EXPECT_EQ(f[0].line, 3u);
  EXPECT_TRUE(lint(code).empty()) << "the default list names no function of this code";
}

TEST(BespokeDispatch, IfElseChainsOnBackendsOutsideDispatchers) {
  auto f = lint(R"cpp(
namespace ws {
int pause(Handler& h, const std::string& id) {
  if (h.cp) { return h.cp->stop(id); } else if (h.docker) { return h.docker->stop(id); }  // NOLINT(parity-direct-backend-call)
  return 0;
}
int pauseWorkspaceAuto(Handler& h, const std::string& id) {
  if (h.cp) { return h.cp->stop(id); } else if (h.docker) { return h.docker->stop(id); }  // NOLINT(parity-direct-backend-call)
  return 0;
}
int ready(Handler& h) { if (h.cp) return 1; return 0; }
}
)cpp");
  ASSERT_EQ(f.size(), 1u) << "one report per chain, none in the *Auto dispatcher";
  EXPECT_EQ(f[0].check, "parity-bespoke-dispatch");
  EXPECT_NE(f[0].message.find("call its dispatcher on WorkspaceService"), std::string::npos);
}

TEST(BespokeDispatch, ConditionalOperatorChoosesTheBackend) {
  auto f = lint(R"cpp(
namespace ws {
int a(Handler& h, const std::string& id) {
  auto& p = h.cp ? *h.cp : *h.docker;
  return p.stop(id);
}
int b(Handler& h, const std::string& id) { return (h.cp ? h.cp.get() : h.docker)->stop(id); }
int c(Handler& h, const std::string& id) { return h.cp ? h.cp->stop(id) : h.docker->stop(id); }
int d(Handler& h, bool useCp, const std::string& id) {
  Provisioner* p = nullptr;
  p = useCp ? h.cp.get() : static_cast<Provisioner*>(h.docker);
  return p->exec(id);
}
int e(Handler& h, const std::string& id) { auto run = [&] { return (h.cp ? h.cp.get() : h.docker)->exec(id); }; return run(); }
int quiet1(Handler& h) { return h.cp ? 1 : 0; }
bool quiet2(Handler& h) { Provisioner* p = h.cp ? h.cp.get() : h.docker; return p != nullptr; }
int Handler::stopWorkspaceAuto(const std::string& id) { auto& p = cp ? *cp : *docker; return p.stop(id); }
int execAuto(Handler& h, const std::string& id) {
  auto run = [&] { return (h.cp ? h.cp.get() : h.docker)->exec(id); };
  return h.cp ? h.cp->exec(id) : run();
}
}
)cpp");
  // a's and d's conditional (where p is chosen), b's, c's, the one in e's lambda; nothing in
  // quiet1/quiet2 (no call) nor in the dispatchers (and the lambda inside one).
  EXPECT_EQ(linesOf(f, kBespoke), (std::vector<unsigned>{4, 7, 8, 11, 14}));
  for (const auto& x : f)
    if (x.check == kBespoke) EXPECT_NE(x.message.find("a conditional operator chooses the backend"), std::string::npos);
  ASSERT_FALSE(f.empty());
  EXPECT_NE(f[0].message.find("'stop'; call its dispatcher on WorkspaceService"), std::string::npos) << f[0].message;
}

TEST(BespokeDispatch, SwitchAndIfChooseTheBackend) {
  auto f = lint(R"cpp(
namespace ws {
enum class Kind { docker, cp };
int a(Handler& h, Kind k, const std::string& id) {
  switch (k) {
    case Kind::docker: return h.docker->stop(id);
    case Kind::cp: return h.cp->stop(id);
  }
  return 0;
}
int b(Handler& h, Kind k, const std::string& id) {
  Provisioner* p = nullptr;
  switch (k) {
    case Kind::docker: p = h.docker; break;
    case Kind::cp: p = h.cp.get(); break;
  }
  return p->start(id);
}
int c(Handler& h, Kind k, const std::string& id) {
  if (k == Kind::cp) return h.cp->stop(id);
  else return h.docker->stop(id);
}
int d(Handler& h, bool x, const std::string& id) {
  Provisioner* p = h.docker;
  if (x) p = h.cp.get();
  return p->stop(id);
}
int quiet1(Handler& h, Kind k, const std::string& id) {
  switch (k) { case Kind::docker: return h.docker->stop(id); default: return h.docker->start(id); }
}
void quiet2(Handler& h, bool all, const std::string& id) { if (all) { h.cp->stop(id); h.docker->stop(id); } }
int quiet3(Handler& h, Kind k, const std::string& id) {
  switch (k) { case Kind::cp: { Provisioner& p = *h.cp; return p.stop(id); } default: return 0; }
}
int startWorkspaceAuto(Handler& h, Kind k, const std::string& id) {
  Provisioner* p = nullptr;
  switch (k) { case Kind::docker: p = h.docker; break; case Kind::cp: return h.cp->start(id); }
  if (k == Kind::cp) p = h.cp.get();
  return p->start(id);
}
}
)cpp");
  EXPECT_EQ(linesOf(f, kBespoke), (std::vector<unsigned>{5, 13, 20, 25}));
  std::vector<std::string> shapes;
  for (const auto& x : f)
    if (x.check == kBespoke) shapes.push_back(x.message.substr(0, x.message.find(" chooses")));
  EXPECT_EQ(shapes, (std::vector<std::string>{"bespoke backend dispatch: a switch", "bespoke backend dispatch: a switch",
                                              "bespoke backend dispatch: an if", "bespoke backend dispatch: an if"}));
}

TEST(BespokeDispatch, LambdasBelongToTheirFunction) {
  auto f = lint(R"cpp(
namespace ws {
void a(Handler& h, const std::string& id) { auto go = [&] { if (h.cp) h.cp->stop(id); }; go(); }
int stopAllAuto(Handler& h, const std::string& id) { auto go = [&] { if (h.cp) return h.cp->stop(id); return 0; }; return go(); }
}
)cpp");
  EXPECT_EQ(linesOf(f, kBespoke), (std::vector<unsigned>{3})) << "once in a, never inside a dispatcher";
}


namespace another_project {

// A project that is not this one: its own interface, verbs, dispatchers and gate, named only
// in its configuration.
const char* kRunner = R"cpp(
namespace acme {
struct Runner {
  virtual ~Runner() = default;
  virtual int launch(int) = 0;
  virtual int halt(int) = 0;
  virtual const char* label() const { return "runner"; }
};
struct Local : Runner {
  int launch(int) override { return 0; }
  int halt(int) override { return 0; }
  int warmUp() { return 0; }
};
struct Jobs {
  Runner* local = nullptr;
  Runner* remote = nullptr;
  bool anyRunner() const { return local || remote; }
  int haltVia(int id) { return (local ? local : remote)->halt(id); }
};
int importAll(Jobs& j) { return j.local->launch(1); }
int direct(Local& l) { l.warmUp(); l.label(); return l.halt(2); }
bool none(Jobs& j) { return !j.local && !j.remote; }
int choose(Jobs& j, int id) { return (j.local ? j.local : j.remote)->launch(id); }
}  // namespace acme
)cpp";

const std::map<std::string, std::string> kAcme = {
    {"parity-direct-backend-call.InterfaceName", "::acme::Runner"},
    {"parity-direct-backend-call.Dispatchers", "launch=startJob"},
    {"parity-direct-backend-call.DispatcherSuffix", "Via"},
    {"parity-direct-backend-call.DispatcherClass", "acme::Jobs"},
    {"parity-direct-backend-call.AllowedFiles", "dispatch\\.cpp$"},
    {"parity-bare-backend-null-check.InterfaceName", "::acme::Runner"},
    {"parity-bare-backend-null-check.AllowedFunctions", "acme::Jobs::anyRunner"},
    {"parity-provisioning-gate.Functions", "acme::importAll"},
    {"parity-provisioning-gate.GateFunction", "anyRunner"},
    {"parity-bespoke-dispatch.InterfaceName", "::acme::Runner"},
    {"parity-bespoke-dispatch.DispatcherSuffix", "Via"},
};

std::vector<std::string> messagesOf(const std::vector<Finding>& f, const std::string& check) {
  std::vector<std::string> out;
  for (const auto& x : f)
    if (x.check == check) out.push_back(x.message);
  return out;
}

TEST(AnotherProject, UnconfiguredChecksNameNothing) {
  EXPECT_TRUE(lint(kRunner, "/src/jobs.cpp", {}, /*bare=*/true).empty());
  // This project's own names are not built in either: its backends are quiet without config.
  EXPECT_TRUE(lint(R"cpp(
namespace ws { void a(Handler& h) { h.cp->stop("x"); } bool b(Handler& h) { return !h.cp && !h.docker; } }
)cpp",
                   "/src/h.cpp", {}, /*bare=*/true)
                  .empty());
}

TEST(AnotherProject, ItsNamesDriveEveryCheck) {
  const auto f = lint(kRunner, "/src/jobs.cpp", kAcme, /*bare=*/true);
  // Without MethodNames the verbs are the interface's own virtual methods: launch, halt and
  // label; Local::warmUp is not one.
  EXPECT_EQ(messagesOf(f, "parity-direct-backend-call"),
            (std::vector<std::string>{
                "direct call of backend method 'halt' outside a dispatcher; call acme::Jobs::haltVia instead",
                "direct call of backend method 'launch' outside a dispatcher; call acme::Jobs::startJob instead",
                "direct call of backend method 'label' outside a dispatcher; call acme::Jobs::labelVia instead",
                "direct call of backend method 'halt' outside a dispatcher; call acme::Jobs::haltVia instead",
                "direct call of backend method 'launch' outside a dispatcher; call acme::Jobs::startJob instead"}));
  EXPECT_EQ(messagesOf(f, "parity-bare-backend-null-check"),
            (std::vector<std::string>{"bare test that every backend is null; use !anyRunner()"}));
  EXPECT_EQ(messagesOf(f, "parity-provisioning-gate"),
            (std::vector<std::string>{
                "'acme::importAll' does not gate on anyRunner(); a path without the gate silently skips backends"}));
  // haltVia is a dispatcher by its suffix; choose is not. No DispatcherClass: a function.
  EXPECT_EQ(messagesOf(f, "parity-bespoke-dispatch"),
            (std::vector<std::string>{"bespoke backend dispatch: a conditional operator chooses the backend to call "
                                      "'launch'; call its dispatcher (a function named *Via), or add one"}));
  EXPECT_TRUE(lint(kRunner, "/src/dispatch.cpp", kAcme, /*bare=*/true).size() < f.size())
      << "AllowedFiles exempts the dispatcher file from the direct-call check";
}

TEST(AnotherProject, MessagesWithoutDispatcherNames) {
  auto options = kAcme;
  options.erase("parity-direct-backend-call.Dispatchers");
  options.erase("parity-direct-backend-call.DispatcherSuffix");
  options.erase("parity-direct-backend-call.DispatcherClass");
  options.erase("parity-bare-backend-null-check.AllowedFunctions");
  const auto f = lint(kRunner, "/src/jobs.cpp", options, /*bare=*/true);
  const auto direct = messagesOf(f, "parity-direct-backend-call");
  ASSERT_FALSE(direct.empty());
  EXPECT_EQ(direct[0], "direct call of backend method 'halt' outside a dispatcher; call its dispatcher instead");
  // Without AllowedFunctions the gate itself is a bare test too.
  EXPECT_EQ(messagesOf(f, "parity-bare-backend-null-check"),
            (std::vector<std::string>{"bare test that some backend is wired; use one named gate function (AllowedFunctions)",
                                      "bare test that every backend is null; use one named gate function (AllowedFunctions)"}));
}

}  // namespace another_project

}  // namespace
