#include "store/postgres/pg_db.h"

#include <stdexcept>

namespace ws::pg {

std::string toHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string fromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error("bad hex from the database");
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  return out;
}

Session::Session(Pool& pool, Connection& c, bool transaction) : pool_(pool), c_(c) {
  if (transaction) tx_ = std::make_unique<pqxx::work>(c.conn);
  else tx_ = std::make_unique<pqxx::nontransaction>(c.conn);
}

pqxx::result Session::execParams(const std::string& sql, const std::vector<Param>& params) {
  const std::string name = pool_.statementName(sql);
  if (!c_.prepared.count(name)) {
    c_.conn.prepare(name, sql);
    c_.prepared.insert(name);
  }
  // libpqxx reads a null pointer as NULL. Text cannot hold NUL bytes in PostgreSQL anyway.
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  return tx_->exec_prepared(name, pqxx::prepare::make_dynamic_params(values));
}

void Session::lock(std::string_view scope, const std::string& key) {
  exec("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", std::string(scope) + ":" + key);
}

Pool::Pool(std::string url, std::size_t size) : url_(std::move(url)), size_(size) {
  idle_.push_back(std::make_unique<Connection>(url_));
  open_ = 1;
}

std::string Pool::statementName(const std::string& sql) {
  std::lock_guard lock(mutex_);
  auto it = names_.find(sql);
  if (it == names_.end()) it = names_.emplace(sql, "ws" + std::to_string(names_.size())).first;
  return it->second;
}

std::unique_ptr<Connection> Pool::take() {
  std::unique_lock lock(mutex_);
  returned_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return c;
  }
  ++open_;
  lock.unlock();
  try {
    return std::make_unique<Connection>(url_);
  } catch (...) {
    lock.lock();
    --open_;
    returned_.notify_one();
    throw;
  }
}

void Pool::give(std::unique_ptr<Connection> c) {
  {
    std::lock_guard lock(mutex_);
    // A broken connection is dropped: the next call opens a fresh one (the server restarted).
    if (c && c->conn.is_open()) idle_.push_back(std::move(c));
    else --open_;
  }
  returned_.notify_one();
}

}  // namespace ws::pg
