#pragma once
// Numbered schema migrations, applied in order at start-up and recorded in schema_migrations.
// Append new migrations; never edit one that has shipped.

#include <span>
#include <string_view>

namespace ws::migrations {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

/// The SQLite schema (migrations.cpp).
std::span<const Migration> all();
/// The PostgreSQL schema (migrations_postgres.cpp). Its version 1 is the SQLite schema as of
/// SQLite's 18; a later change appends to both lists.
std::span<const Migration> postgres();

}  // namespace ws::migrations
