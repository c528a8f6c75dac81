#include "scanner.h"

#include <algorithm>
#include <cctype>

namespace parity {
namespace {

struct Token {
  enum class Kind { identifier, string, punct, other } kind;
  std::string text;  ///< Identifier, unquoted string contents, or the punctuation character.
  int line;
};

bool identStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool identChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    bool line_start = true;  // only whitespace so far on this line
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == '\n') { ++line_; ++i_; line_start = true; continue; }
      if (std::isspace(static_cast<unsigned char>(c))) { ++i_; continue; }
      if (startsWith("//")) { skipLine(); continue; }
      if (startsWith("/*")) { skipBlockComment(); continue; }
      if (c == '#' && line_start) { skipDirective(); continue; }
      line_start = false;
      if (identStart(c)) {
        const size_t b = i_;
        while (i_ < s_.size() && identChar(s_[i_])) ++i_;
        std::string word(s_.substr(b, i_ - b));
        // Encoding prefixes and raw strings: u8"..", L"..", R"(..)", u8R"x(..)x".
        if (i_ < s_.size() && s_[i_] == '"' && isStringPrefix(word)) {
          const int line = line_;
          out.push_back({Token::Kind::string, word.back() == 'R' ? rawString() : quoted('"'), line});
          continue;
        }
        out.push_back({Token::Kind::identifier, std::move(word), line_});
        continue;
      }
      if (c == '"') { const int line = line_; out.push_back({Token::Kind::string, quoted('"'), line}); continue; }
      if (c == '\'') { const int line = line_; quoted('\''); out.push_back({Token::Kind::other, "'", line}); continue; }
      if (std::isdigit(static_cast<unsigned char>(c))) {
        const size_t b = i_;
        while (i_ < s_.size() && (identChar(s_[i_]) || s_[i_] == '.' || s_[i_] == '\'')) ++i_;
        out.push_back({Token::Kind::other, std::string(s_.substr(b, i_ - b)), line_});
        continue;
      }
      out.push_back({Token::Kind::punct, std::string(1, c), line_});
      ++i_;
    }
    return out;
  }

 private:
  static bool isStringPrefix(const std::string& w) {
    return w == "R" || w == "L" || w == "u" || w == "U" || w == "u8" || w == "LR" || w == "uR" || w == "UR" ||
           w == "u8R";
  }
  bool startsWith(std::string_view p) const { return s_.substr(i_, p.size()) == p; }
  void skipLine() { while (i_ < s_.size() && s_[i_] != '\n') ++i_; }
  void skipBlockComment() {
    i_ += 2;
    while (i_ < s_.size() && !startsWith("*/")) { if (s_[i_] == '\n') ++line_; ++i_; }
    i_ = std::min(s_.size(), i_ + 2);
  }
  // A directive runs to the end of the line, continued by backslash-newline.
  void skipDirective() {
    while (i_ < s_.size() && s_[i_] != '\n') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size() && s_[i_ + 1] == '\n') { ++line_; i_ += 2; continue; }
      if (startsWith("/*")) { skipBlockComment(); continue; }
      if (startsWith("//")) { skipLine(); break; }
      ++i_;
    }
  }
  std::string quoted(char q) {
    std::string out;
    ++i_;
    while (i_ < s_.size() && s_[i_] != q && s_[i_] != '\n') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) { out += escaped(s_[i_ + 1]); i_ += 2; continue; }
      out += s_[i_++];
    }
    if (i_ < s_.size() && s_[i_] == q) ++i_;
    return out;
  }
  static std::string escaped(char c) {
    switch (c) {
      case 'n': return "\n";
      case 't': return "\t";
      default: return std::string(1, c);
    }
  }
  std::string rawString() {
    ++i_;  // the opening quote
    const size_t open = s_.find('(', i_);
    if (open == std::string_view::npos) { i_ = s_.size(); return {}; }
    const std::string close = ")" + std::string(s_.substr(i_, open - i_)) + "\"";
    const size_t end = s_.find(close, open + 1);
    const size_t stop = end == std::string_view::npos ? s_.size() : end;
    std::string body(s_.substr(open + 1, stop - open - 1));
    for (char ch : body) if (ch == '\n') ++line_;
    i_ = end == std::string_view::npos ? s_.size() : end + close.size();
    return body;
  }

  std::string_view s_;
  size_t i_ = 0;
  int line_ = 1;
};

// Reads the arguments of a call whose '(' is at tokens[i]; leaves i after the ')'.
bool readArguments(const std::vector<Token>& t, size_t& i, std::vector<Argument>& args) {
  int depth = 0;
  std::vector<Token> current;
  auto flush = [&] {
    Argument a;
    if (current.size() == 1 && current[0].kind == Token::Kind::identifier) {
      a = {Argument::Kind::identifier, current[0].text};
    } else if (!current.empty() &&
               std::all_of(current.begin(), current.end(), [](const Token& x) { return x.kind == Token::Kind::string; })) {
      a.kind = Argument::Kind::string;
      for (const auto& x : current) a.value += x.text;
    } else {
      for (const auto& x : current) a.value += (a.value.empty() ? "" : " ") + x.text;
    }
    args.push_back(std::move(a));
    current.clear();
  };
  for (; i < t.size(); ++i) {
    const Token& tok = t[i];
    if (tok.kind == Token::Kind::punct && (tok.text == "(" || tok.text == "[" || tok.text == "{")) {
      if (depth++ == 0) continue;
    } else if (tok.kind == Token::Kind::punct && (tok.text == ")" || tok.text == "]" || tok.text == "}")) {
      if (--depth == 0) { flush(); ++i; return true; }
    } else if (depth == 1 && tok.kind == Token::Kind::punct && tok.text == ",") {
      flush();
      continue;
    }
    current.push_back(tok);
  }
  return false;
}

}  // namespace

std::vector<MacroCall> scanMacroCalls(std::string_view source, const std::set<std::string, std::less<>>& names) {
  const auto tokens = Lexer(source).run();
  std::vector<MacroCall> calls;
  for (size_t i = 0; i < tokens.size();) {
    const Token& tok = tokens[i];
    if (tok.kind != Token::Kind::identifier || !names.contains(tok.text) || i + 1 >= tokens.size() ||
        tokens[i + 1].text != "(") {
      ++i;
      continue;
    }
    MacroCall call{tok.text, tok.line, {}, {}};
    ++i;
    if (!readArguments(tokens, i, call.args)) call.error = "unbalanced parentheses in " + call.name;
    calls.push_back(std::move(call));
  }
  return calls;
}

namespace {

bool isPunct(const Token& t, std::string_view p) { return t.kind == Token::Kind::punct && t.text == p; }

// The index after the bracket that closes the one at t[i] ('(' or '{'), or npos.
size_t closing(const std::vector<Token>& t, size_t i) {
  const std::string open = t[i].text, close = open == "(" ? ")" : "}";
  int depth = 0;
  for (; i < t.size(); ++i) {
    if (isPunct(t[i], open)) ++depth;
    else if (isPunct(t[i], close) && --depth == 0) return i + 1;
  }
  return std::string::npos;
}

}  // namespace

std::vector<FunctionDefinition> scanFunctionDefinitions(std::string_view source) {
  static const std::set<std::string, std::less<>> kKeywords = {"if", "for", "while", "switch", "catch", "return",
                                                               "sizeof", "decltype", "alignof", "noexcept", "requires"};
  static const std::set<std::string, std::less<>> kQualifiers = {"const", "noexcept", "override", "final", "volatile"};
  const auto t = Lexer(source).run();
  std::vector<FunctionDefinition> out;
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i].kind != Token::Kind::identifier || kKeywords.contains(t[i].text) || !isPunct(t[i + 1], "(")) continue;
    const bool arrow = i > 1 && isPunct(t[i - 1], ">") && isPunct(t[i - 2], "-");
    if ((i > 0 && isPunct(t[i - 1], ".")) || arrow) continue;  // x.f( and x->f( are calls
    size_t j = closing(t, i + 1);
    while (j < t.size()) {  // qualifiers and a trailing return type, up to the body
      if (t[j].kind == Token::Kind::identifier && kQualifiers.contains(t[j].text)) {
        ++j;
        if (j < t.size() && isPunct(t[j], "(")) j = closing(t, j);  // noexcept(...)
      } else if (isPunct(t[j], "&")) {
        ++j;
      } else if (isPunct(t[j], "-") && j + 1 < t.size() && isPunct(t[j + 1], ">")) {
        while (j < t.size() && !isPunct(t[j], "{") && !isPunct(t[j], ";")) ++j;
      } else {
        break;
      }
    }
    if (j >= t.size() || !isPunct(t[j], "{")) continue;
    const size_t end = closing(t, j);
    FunctionDefinition d{t[i].text, t[i].text, t[i].line, t[j].line, end == std::string::npos ? t.back().line : t[end - 1].line};
    for (size_t k = i; k >= 3 && isPunct(t[k - 1], ":") && isPunct(t[k - 2], ":") &&
                       t[k - 3].kind == Token::Kind::identifier;
         k -= 3)
      d.qualified = t[k - 3].text + "::" + d.qualified;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace parity
