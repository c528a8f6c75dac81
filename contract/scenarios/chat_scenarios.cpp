// Chat attachments through the real server on the backend under test: an upload lands in the
// workspace for the agent, a download brings the bytes back unchanged.

#include "harness.h"
#include "support/backend_env.h"

namespace ws::contract {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::kBackendAdmin;

const std::string kBoundary = "contract-chat-boundary";

std::string filePart(const std::string& name, const std::string& content) {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + name +
         "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + "\r\n";
}

CONTRACT_SCENARIO(chat_files, AttachmentsReachTheWorkspaceAndComeBackByteForByte) {
  auto& env = bench.server();
  test::ServerProcess server(env.serverArgs(), env.serverEnv());
  auto c = server.client(kBackendAdmin);
  auto created = c.post("/workspaces", {{"name", "chatter"}, {"tier", 2}});
  if (created.status != 201) throw StepFailed("create: " + created.body);
  const std::string id = created.json()["id"];
  if (test::waitForStatus(c, id, "online", 30s) != "online") throw StepFailed("workspace never came online");
  const std::string base = "/workspaces/" + id + "/chat";

  const std::string binary = std::string("\x00\x01\xfe\xff\r\n--", 8) + kBoundary.substr(0, 5);
  const std::string body = filePart("notes.txt", "read me\n") + filePart("raw data.bin", binary) + "--" + kBoundary + "--\r\n";
  auto up = c.request("POST", base + "/uploads", body, {{"Content-Type", "multipart/form-data; boundary=" + kBoundary}});
  ASSERT_EQ(up.status, 200) << up.body;
  const json files = up.json()["files"];
  ASSERT_EQ(files.size(), 2u) << files;
  EXPECT_EQ(files[1]["name"], "raw_data.bin");
  EXPECT_EQ(files[1]["size"], binary.size());
  EXPECT_EQ(files[1]["mimeType"], "application/octet-stream");
  const std::string scheme = "workspace:";
  const std::string text_path = files[0]["uri"].get<std::string>().substr(scheme.size());
  const std::string bin_path = files[1]["uri"].get<std::string>().substr(scheme.size());
  EXPECT_EQ(text_path.rfind("/workspace/.molecule/chat-uploads/", 0), 0u) << text_path;

  // The agent sees the file where the URI says.
  EXPECT_EQ(env.execIn(id, {"cat", text_path}), "read me\n");

  auto down = c.get(base + "/download?path=" + bin_path);
  ASSERT_EQ(down.status, 200) << down.body;
  EXPECT_EQ(down.body, binary);
  EXPECT_EQ(down.headers["Content-Type"], "application/octet-stream");
  EXPECT_NE(down.headers["Content-Disposition"].find("attachment; filename=\""), std::string::npos);

  // A file the agent wrote itself comes back with its type.
  ASSERT_EQ(c.request("PUT", "/workspaces/" + id + "/files/out/answer.md?root=/workspace", json{{"content", "# 42\n"}}.dump()).status, 200);
  auto answer = c.get(base + "/download?path=/workspace/out/answer.md");
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body, "# 42\n");
  EXPECT_EQ(answer.headers["Content-Type"], "text/markdown; charset=utf-8");

  EXPECT_EQ(c.get(base + "/download?path=/workspace/out").status, 400) << "a directory is not a file";
  EXPECT_EQ(c.get(base + "/download?path=/workspace/nothing-here").status, 404);
  EXPECT_EQ(c.get(base + "/download?path=/workspace/../etc/passwd").status, 400);
  EXPECT_EQ(c.get(base + "/download?path=/etc/passwd").status, 400);
}

}  // namespace
}  // namespace ws::contract
