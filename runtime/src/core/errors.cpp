#include "ws/errors.h"

#include <boost/throw_exception.hpp>
#include <stdexcept>

namespace ws {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "workspace"; }
  std::string message(int ev) const override { return errcName(static_cast<Errc>(ev)); }
};

}  // namespace

const boost::system::error_category& errorCategory() noexcept {
  static const Category category;
  return category;
}

boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), errorCategory()};
}

const char* errcName(Errc e) noexcept {
  switch (e) {
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::unauthorized: return "unauthorized";
    case Errc::forbidden: return "forbidden";
    case Errc::not_found: return "not_found";
    case Errc::payment_required: return "payment_required";
    case Errc::conflict: return "conflict";
    case Errc::precondition_failed: return "precondition_failed";
    case Errc::too_large: return "too_large";
    case Errc::unprocessable: return "unprocessable";
    case Errc::rate_limited: return "rate_limited";
    case Errc::unsupported: return "unsupported";
    case Errc::backend_unavailable: return "backend_unavailable";
    case Errc::backend_error: return "backend_error";
    case Errc::timeout: return "timeout";
    case Errc::storage_error: return "storage_error";
    case Errc::internal: return "internal";
  }
  return "unknown";
}

int httpStatus(Errc e) noexcept {
  switch (e) {
    case Errc::invalid_argument: return 400;
    case Errc::unauthorized: return 401;
    case Errc::forbidden: return 403;
    case Errc::not_found: return 404;
    case Errc::payment_required: return 402;
    case Errc::conflict: return 409;
    case Errc::precondition_failed: return 412;
    case Errc::too_large: return 413;
    case Errc::unprocessable: return 422;
    case Errc::rate_limited: return 429;
    case Errc::unsupported: return 501;
    case Errc::backend_unavailable: return 503;
    case Errc::backend_error: return 502;
    case Errc::timeout: return 504;
    case Errc::storage_error:
    case Errc::internal: return 500;
  }
  return 500;
}

void throw_exception_from_error(const Error& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(std::string(errcName(e.code)) + ": " + e.message), loc);
}

}  // namespace ws
