#include "core/multipart.h"

#include <gtest/gtest.h>

namespace ws {
namespace {

const std::string kType = "multipart/form-data; boundary=----XyZ";

std::string part(const std::string& disposition, const std::string& content, const std::string& type = "") {
  std::string out = "------XyZ\r\nContent-Disposition: " + disposition + "\r\n";
  if (!type.empty()) out += "Content-Type: " + type + "\r\n";
  return out + "\r\n" + content + "\r\n";
}

TEST(Multipart, ReadsFilesAndFieldsByteForByte) {
  const std::string binary("\x00\x01\r\n--not-a-boundary\xff", 22);
  const std::string body = "preamble\r\n" + part(R"(form-data; name="files"; filename="a b.txt")", "hello", "text/plain") +
                           part(R"(form-data; name="files"; filename="bin.dat")", binary) +
                           part(R"(form-data; name="note")", "just a field") + "------XyZ--\r\n";
  auto parts = parseMultipartForm(kType, body);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "files");
  EXPECT_EQ((*parts)[0].filename, "a b.txt");
  EXPECT_EQ((*parts)[0].content_type, "text/plain");
  EXPECT_EQ((*parts)[0].content, "hello");
  EXPECT_EQ((*parts)[1].content, binary);
  EXPECT_EQ((*parts)[1].content_type, "");
  EXPECT_EQ((*parts)[2].name, "note");
  EXPECT_FALSE((*parts)[2].filename);
  EXPECT_EQ((*parts)[2].content, "just a field");
}

TEST(Multipart, QuotedAndEncodedParameters) {
  const std::string body = part(R"(form-data; name="files"; filename="semi;colon \"q\".txt")", "x") +
                           part(R"(form-data; name=files; filename="fallback.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf)", "y") +
                           "------XyZ--";
  auto parts = parseMultipartForm(R"(Multipart/Form-Data; charset=utf-8; boundary="----XyZ")", body);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].filename, "semi;colon \"q\".txt");
  EXPECT_EQ((*parts)[1].name, "files");
  EXPECT_EQ((*parts)[1].filename, "r\xc3\xa9sum\xc3\xa9.pdf") << "filename* wins";
}

TEST(Multipart, RefusesWhatIsNotAFormOrIsCut) {
  const std::string ok = part(R"(form-data; name="files"; filename="a")", "x") + "------XyZ--";
  EXPECT_TRUE(parseMultipartForm(kType, ok));
  EXPECT_FALSE(parseMultipartForm("application/json", ok));
  EXPECT_FALSE(parseMultipartForm("multipart/form-data", ok)) << "no boundary";
  EXPECT_FALSE(parseMultipartForm("multipart/form-data; boundary=" + std::string(71, 'b'), ok));
  EXPECT_FALSE(parseMultipartForm(kType, ""));
  EXPECT_FALSE(parseMultipartForm(kType, "no boundary at all"));
  EXPECT_FALSE(parseMultipartForm(kType, ok.substr(0, ok.size() - 13))) << "the closing boundary cut off";
  EXPECT_FALSE(parseMultipartForm(kType, "------XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated"));
  EXPECT_FALSE(parseMultipartForm(kType, part("attachment; name=\"a\"", "x") + "------XyZ--")) << "not form-data";
  EXPECT_FALSE(parseMultipartForm(kType, "------XyZ\r\nX-No-Disposition: 1\r\n\r\nx\r\n------XyZ--"));
  EXPECT_FALSE(parseMultipartForm(kType, "------XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n------XyZ--"))
      << "an unterminated quote";
  EXPECT_FALSE(parseMultipartForm(kType, "------XyZjunk"));
}

TEST(Multipart, LimitsPartsAndHeaders) {
  std::string body;
  for (int i = 0; i < 3; ++i) body += part(R"(form-data; name="f")", "x");
  body += "------XyZ--";
  EXPECT_TRUE(parseMultipartForm(kType, body, MultipartLimits{3, 8192}));
  EXPECT_FALSE(parseMultipartForm(kType, body, MultipartLimits{2, 8192}));
  EXPECT_FALSE(parseMultipartForm(kType, body, MultipartLimits{100, 10}));
}

}  // namespace
}  // namespace ws
