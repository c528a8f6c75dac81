// Chat uploads and downloads against the real binary: every refusal before a backend is asked.
// (The round trip through a workload is the contract scenario chat_files.)

#include <gtest/gtest.h>

#include "support/server_process.h"

namespace ws::test {
namespace {

using nlohmann::json;

const std::string kAdmin = "chat-admin-token";
const std::string kBoundary = "----chat-test-boundary";

std::string form(const std::vector<std::pair<std::string, std::string>>& files, const std::string& field = "files") {
  std::string body;
  for (const auto& [name, content] : files)
    body += "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + name +
            "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n";
  return body + "--" + kBoundary + "--\r\n";
}

class ChatFilesApi : public ::testing::Test {
 protected:
  ServerProcess server_{{}, {{"ADMIN_TOKEN", kAdmin}}};
  HttpClient admin_ = server_.client(kAdmin);
  HttpClient anon_ = server_.client();
  std::string id_ = admin_.post("/workspaces", {{"name", "chat"}}).json()["id"];
  std::string token_ = admin_.post("/workspaces/" + id_ + "/tokens", json::object()).json()["auth_token"];

  HttpResult upload(const std::string& body, const std::string& bearer, const std::string& id = "",
                    const std::string& type = "multipart/form-data; boundary=" + kBoundary) {
    return anon_.request("POST", "/workspaces/" + (id.empty() ? id_ : id) + "/chat/uploads", body,
                         {{"Authorization", "Bearer " + bearer}, {"Content-Type", type}});
  }
  HttpResult download(const std::string& query, const std::string& bearer) {
    return anon_.get("/workspaces/" + id_ + "/chat/download" + query, bearer);
  }
};

TEST_F(ChatFilesApi, UploadRefusals) {
  const std::string ok = form({{"a.txt", "hello"}});
  EXPECT_EQ(upload(ok, token_).status, 503) << "valid, but no backend to hold the file";
  auto not_form = upload(R"({"files":[]})", token_, "", "application/json");
  EXPECT_EQ(not_form.status, 400);
  EXPECT_EQ(not_form.json()["error"].get<std::string>().rfind("failed to parse multipart form", 0), 0u);
  EXPECT_EQ(upload(ok.substr(0, ok.size() - 10), token_).status, 400) << "cut short";
  auto no_files = upload(form({{"a.txt", "x"}}, "other"), token_);
  EXPECT_EQ(no_files.status, 400);
  EXPECT_EQ(no_files.json()["error"], "expected at least one 'files' field");
  auto too_big = upload(form({{"big.bin", std::string((25u << 20) + 1, 'x')}}), token_);
  EXPECT_EQ(too_big.status, 413) << "past the per-file limit, within the request limit";
  EXPECT_EQ(too_big.json()["error"], "big.bin exceeds per-file limit (25 MB)");
  EXPECT_EQ(upload(form({{"huge.bin", std::string((50u << 20) + 1, 'x')}}), token_).status, 413) << "past the request limit";
  EXPECT_EQ(admin_.post("/workspaces/" + id_ + "/activity", json{{"activity_type", "agent_log"},
                                                                 {"summary", std::string(2u << 20, 'x')}}).status, 413)
      << "the larger limit is the upload route's alone";

  const std::string other = admin_.post("/workspaces", {{"name", "other"}}).json()["id"];
  const std::string foreign = admin_.post("/workspaces/" + other + "/tokens", json::object()).json()["auth_token"];
  EXPECT_EQ(upload(ok, foreign).status, 401);
  EXPECT_EQ(upload(ok, "").status, 401);
  const std::string two_mib = form({{"big.bin", std::string(2u << 20, 'x')}});
  EXPECT_EQ(upload(two_mib, foreign).status, 401) << "a large body is admitted only once the caller is";
  EXPECT_EQ(upload(two_mib, "").status, 401);
  EXPECT_EQ(upload(ok, kAdmin, "7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e").status, 404);
  EXPECT_EQ(upload(ok, kAdmin, "not-a-uuid").status, 400);
}

TEST_F(ChatFilesApi, DownloadPathTricks) {
  EXPECT_EQ(download("?path=/workspace/report.pdf", token_).status, 503) << "a fine path, no backend";
  const auto refused = [&](const std::string& query) {
    auto r = download(query, token_);
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    return r.json().value("error", "");
  };
  EXPECT_EQ(refused(""), "path query required");
  EXPECT_EQ(refused("?path="), "path query required");
  EXPECT_EQ(refused("?path=workspace/a.txt"), "path must be absolute");
  EXPECT_EQ(refused("?path=/etc/passwd"), "path must be under /configs, /workspace, /home, or /plugins");
  EXPECT_EQ(refused("?path=/workspacex/a"), "path must be under /configs, /workspace, /home, or /plugins");
  EXPECT_EQ(refused("?path=/workspace/../etc/passwd"), "invalid path");
  EXPECT_EQ(refused("?path=/workspace/%2e%2e/etc/shadow"), "invalid path");
  EXPECT_EQ(refused("?path=%2Fworkspace%2F..%2F..%2Froot"), "invalid path");
  EXPECT_EQ(refused("?path=/workspace//etc"), "invalid path");
  EXPECT_EQ(refused("?path=/workspace/./a"), "invalid path");
  EXPECT_EQ(refused("?path=/workspace/a%00.txt"), "invalid path");
  EXPECT_EQ(refused("?path=/workspace/a%0Ab"), "invalid path");

  const std::string other = admin_.post("/workspaces", {{"name", "other"}}).json()["id"];
  const std::string foreign = admin_.post("/workspaces/" + other + "/tokens", json::object()).json()["auth_token"];
  EXPECT_EQ(download("?path=/workspace/a.txt", foreign).status, 401);
  EXPECT_EQ(download("?path=/workspace/a.txt", "").status, 401);
  EXPECT_EQ(admin_.get("/workspaces/7c1d7d1e-0f7e-4a57-9a0b-3f8a1b2c3d4e/chat/download?path=/workspace/a").status, 404);
}

}  // namespace
}  // namespace ws::test
