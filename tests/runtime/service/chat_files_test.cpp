#include "service/chat_files.h"

#include <gtest/gtest.h>

#include "core/tar.h"
#include "support/service_stack.h"

namespace ws::test {
namespace {

// A backend that keeps what is written and serves reads from `files` (absolute path -> tar).
class FileBackend : public Provisioner {
 public:
  std::string name() const override { return "docker"; }
  Result<StartResult> start(const WorkspaceConfig&) override { return StartResult{"http://127.0.0.1:1", ""}; }
  Result<> stop(const std::string&) override { return {}; }
  Liveness isRunning(const std::string&) override { return {true, std::nullopt}; }
  Result<std::string> bootLog(const std::string&) override { return std::string(); }
  Result<ExecResult> exec(const std::string&, const std::vector<std::string>& argv, const std::string&) override {
    execs.push_back(argv);
    return ExecResult{exec_exit, ""};
  }
  Result<std::string> readArchive(const std::string&, const std::string& path) override {
    auto it = files.find(path);
    if (it == files.end()) return makeError(Errc::not_found, "no such path");
    return it->second;
  }
  Result<> writeArchive(const std::string&, const std::string& path, const std::string& tar) override {
    writes.emplace_back(path, tar);
    return {};
  }
  Result<TerminalPtr> openTerminal(const std::string&) override { return makeError(Errc::unsupported, "fake"); }
  Result<std::vector<std::string>> listManaged() override { return std::vector<std::string>{}; }
  Result<> removeVolumes(const std::string&) override { return {}; }

  std::vector<std::vector<std::string>> execs;
  std::vector<std::pair<std::string, std::string>> writes;
  std::map<std::string, std::string> files;
  int exec_exit = 0;
};

class ChatFilesTest : public ::testing::Test, protected StoreStack {
 protected:
  std::shared_ptr<FileBackend> backend_ = std::make_shared<FileBackend>();
  WorkspaceService service_{lifecycle_, credentials_, config_, nullptr, backend_};
  ChatFiles chat_{service_};
  Workspace online_ = makeWorkspace("chatty", Status::online);
};

TEST_F(ChatFilesTest, UploadsLandUnderFreshNamesInOneArchive) {
  const std::string binary("\x00\xff\r\n", 4);
  auto staged = chat_.upload(online_, {{"../../etc/passwd", "", "root"}, {"report final.pdf", "application/x-custom", binary}});
  ASSERT_TRUE(staged) << staged.error().message;
  ASSERT_EQ(staged->size(), 2u);
  EXPECT_EQ((*staged)[0].name, "passwd");
  EXPECT_EQ((*staged)[1].name, "report_final.pdf");
  EXPECT_EQ((*staged)[1].mime_type, "application/x-custom") << "the client's label wins";
  EXPECT_EQ((*staged)[0].mime_type, "");
  EXPECT_EQ((*staged)[1].size, 4u);
  const std::string prefix = "workspace:/workspace/.molecule/chat-uploads/";
  ASSERT_EQ((*staged)[1].uri.rfind(prefix, 0), 0u);
  const std::string stored = (*staged)[1].uri.substr(prefix.size());
  EXPECT_EQ(stored.size(), 32 + 1 + std::string("report_final.pdf").size());
  EXPECT_NE((*staged)[0].uri, (*staged)[1].uri);

  ASSERT_EQ(backend_->execs.size(), 1u);
  const auto& argv = backend_->execs[0];
  EXPECT_EQ(argv.at(4), "/workspace/.molecule/chat-uploads");
  EXPECT_EQ(argv.back(), stored) << "the new names are cleared before the write";
  ASSERT_EQ(backend_->writes.size(), 1u);
  EXPECT_EQ(backend_->writes[0].first, "/workspace/.molecule/chat-uploads");
  auto entries = *readTar(backend_->writes[0].second);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].path, stored) << "flat names: nothing outside the directory";
  EXPECT_EQ(entries[1].content, binary);
}

TEST_F(ChatFilesTest, UploadRefusalsTouchNothing) {
  EXPECT_EQ(chat_.upload(online_, {}).error().code, Errc::invalid_argument);
  const std::string big(ChatFiles::kMaxFileBytes + 1, 'x');
  auto too_big = chat_.upload(online_, {{"big.bin", "", big}});
  EXPECT_EQ(too_big.error().code, Errc::too_large);
  EXPECT_EQ(too_big.error().message, "big.bin exceeds per-file limit (25 MB)");
  auto stopped = makeWorkspace("asleep", Status::hibernated);
  EXPECT_EQ(chat_.upload(stopped, {{"a.txt", "", "a"}}).error().code, Errc::conflict);
  EXPECT_TRUE(backend_->execs.empty());
  EXPECT_TRUE(backend_->writes.empty());
  backend_->exec_exit = 1;
  EXPECT_EQ(chat_.upload(online_, {{"a.txt", "", "a"}}).error().code, Errc::internal);
  EXPECT_TRUE(backend_->writes.empty()) << "no write when the directory could not be prepared";
}

TEST_F(ChatFilesTest, WithoutABackendUploadsAreUnavailable) {
  WorkspaceService none{lifecycle_, credentials_, config_, nullptr, nullptr};
  ChatFiles chat{none};
  EXPECT_EQ(chat.upload(online_, {{"a.txt", "", "a"}}).error().code, Errc::backend_unavailable);
  EXPECT_EQ(chat.download(online_, "/workspace/a.txt").error().code, Errc::backend_unavailable);
}

TEST_F(ChatFilesTest, DownloadsOneRegularFile) {
  backend_->files["/workspace/out/chart.png"] = *makeTar({{"chart.png", std::string("\x89PNG\0", 5), 0644, false}});
  backend_->files["/workspace/out"] = *makeTar({{"out", "", 0755, true}, {"out/chart.png", "x", 0644, false}});
  auto file = chat_.download(online_, "/workspace/out/chart.png");
  ASSERT_TRUE(file) << file.error().message;
  EXPECT_EQ(file->name, "chart.png");
  EXPECT_EQ(file->mime_type, "image/png");
  EXPECT_EQ(file->content, std::string("\x89PNG\0", 5));
  EXPECT_EQ(chat_.download(online_, "/workspace/out").error().message, "path is not a regular file");
  EXPECT_EQ(chat_.download(online_, "/workspace/missing").error().code, Errc::not_found);
  EXPECT_EQ(chat_.download(online_, "/etc/passwd").error().code, Errc::invalid_argument);
}

TEST(ChatFilesRules, DownloadPaths) {
  for (const char* ok : {"/workspace/a.txt", "/configs/config.yaml", "/home/agent/x", "/plugins/p/a", "/workspace",
                         "/workspace/.molecule/chat-uploads/ab-c.pdf", "/workspace/report..v2.txt"})
    EXPECT_TRUE(ChatFiles::checkDownloadPath(ok)) << ok;
  for (const char* bad : {"", "workspace/a", "/etc/passwd", "/workspacex/a", "/", "/workspace/../etc/passwd",
                          "/workspace/a/..", "/workspace//a", "/workspace/./a", "/workspace/a/", "/workspace/a/.",
                          "/workspace/a\nb", "/configs\x01"})
    EXPECT_FALSE(ChatFiles::checkDownloadPath(bad)) << bad;
  EXPECT_FALSE(ChatFiles::checkDownloadPath(std::string("/workspace/a\0b", 14)));
  EXPECT_FALSE(ChatFiles::checkDownloadPath("/workspace/" + std::string(5000, 'a')));
  EXPECT_EQ(ChatFiles::checkDownloadPath("relative").error().message, "path must be absolute");
  EXPECT_EQ(ChatFiles::checkDownloadPath("/etc/x").error().message, "path must be under /configs, /workspace, /home, or /plugins");
}

TEST(ChatFilesRules, FilenamesAreReducedToASafeSet) {
  EXPECT_EQ(ChatFiles::sanitizeFilename("notes.md"), "notes.md");
  EXPECT_EQ(ChatFiles::sanitizeFilename("my file (1).txt"), "my_file__1_.txt");
  EXPECT_EQ(ChatFiles::sanitizeFilename("/abs/path/x.txt"), "x.txt");
  EXPECT_EQ(ChatFiles::sanitizeFilename("C:\\Users\\me\\x.txt"), "x.txt");
  EXPECT_EQ(ChatFiles::sanitizeFilename("dir/"), "dir");
  EXPECT_EQ(ChatFiles::sanitizeFilename("r\xc3\xa9sum\xc3\xa9.pdf"), "r_sum_.pdf") << "one '_' per character";
  for (const char* empty : {"", ".", "..", "/", "a/.."}) EXPECT_EQ(ChatFiles::sanitizeFilename(empty), "file") << empty;
  const auto long_name = ChatFiles::sanitizeFilename(std::string(150, 'a') + ".tar");
  EXPECT_EQ(long_name.size(), 100u);
  EXPECT_EQ(long_name.substr(96), ".tar") << "the extension survives";
  EXPECT_EQ(ChatFiles::sanitizeFilename(std::string(150, 'a') + "." + std::string(20, 'e')).size(), 100u);
  EXPECT_EQ(ChatFiles::mimeTypeFor("Photo.JPG"), "image/jpeg");
  EXPECT_EQ(ChatFiles::mimeTypeFor("noext"), "");
  EXPECT_EQ(ChatFiles::mimeTypeFor("a.unknown"), "");
}

}  // namespace
}  // namespace ws::test
