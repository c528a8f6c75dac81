#pragma once
// The project's error taxonomy. Errors from untrusted input, storage and backends travel as
// values (Result<T>); each carries one Errc, which also decides its HTTP status.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string>

namespace ws {

enum class Errc {
  invalid_argument = 1,  ///< The caller sent something malformed or out of range (400).
  unauthorized,          ///< Missing or invalid credentials (401).
  forbidden,             ///< Valid credentials, but not for this resource (403).
  not_found,             ///< Unknown id or route (404).
  payment_required,      ///< A budget is exhausted (402).
  conflict,              ///< The resource is in a state that forbids the request (409).
  precondition_failed,   ///< A declared requirement is unmet, e.g. missing env (412).
  too_large,             ///< Body or payload beyond the configured limit (413).
  unprocessable,         ///< Well-formed, but refused on its content (422).
  rate_limited,          ///< A per-resource quota is exhausted (429).
  unsupported,           ///< The backend cannot perform this operation at all (501).
  backend_unavailable,   ///< No backend is wired, or its client is unwired (503).
  backend_error,         ///< The backend was reached and reported a failure (502).
  timeout,               ///< The backend did not answer in time (504).
  storage_error,         ///< The embedded database failed (500).
  internal,              ///< A bug or an unexpected condition (500).
};

/// The single error category of the project, so that Errc interoperates with error_code.
const boost::system::error_category& errorCategory() noexcept;
boost::system::error_code make_error_code(Errc e) noexcept;
const char* errcName(Errc e) noexcept;
/// HTTP status code conventionally answered for an error of this kind.
int httpStatus(Errc e) noexcept;

/// An error value: a typed code plus a message safe to show to the caller.
struct Error {
  Errc code = Errc::internal;
  std::string message;
};

// Lets boost::system::result<T, Error>::value() throw on error.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T = void>
using Result = boost::system::result<T, Error>;

inline Error makeError(Errc code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace ws

template <>
struct boost::system::is_error_code_enum<ws::Errc> : std::true_type {};
