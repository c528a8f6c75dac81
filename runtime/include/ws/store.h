#pragma once
// The storage interface, one narrow interface per data area, all over one database. Nothing
// above this layer knows which database it talks to: SQLite, embedded (runtime/src/store/sqlite),
// or PostgreSQL, for one or several servers on one database (runtime/src/store/postgres). A component that needs one area takes
// that interface (e.g. CredentialStore&); the wiring holds the whole Store.
//
// Every method is thread-safe. Every mutation commits before it returns, so a caller may
// acknowledge it to a client.

#include <memory>
#include <string>

#include "ws/a2a_queue_store.h"
#include "ws/credential_store.h"
#include "ws/errors.h"
#include "ws/record_store.h"
#include "ws/workspace_store.h"

namespace ws {

class Store : public WorkspaceStore, public CredentialStore, public RecordStore, public A2aQueueStore {};

using StorePtr = std::unique_ptr<Store>;

/// Opens (creating if needed) the SQLite database at `path` and applies pending migrations.
Result<StorePtr> openSqliteStore(const std::string& path);
/// Connects to the PostgreSQL database at `url` (postgres:// or postgresql://) and applies
/// pending migrations.
Result<StorePtr> openPostgresStore(const std::string& url);
/// PostgreSQL for a postgres:// or postgresql:// URL, else the SQLite database at that path.
Result<StorePtr> openStore(const std::string& url_or_path);
bool isPostgresUrl(const std::string& url_or_path);
/// `url` fit for a log: any password (in the user info or a password= parameter) replaced by ***.
std::string redactDatabaseUrl(const std::string& url);

}  // namespace ws
