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

std::span<const Migration> all();

}  // namespace ws::migrations
