#pragma once
// Result type used at every boundary (files, CLI arguments, solvers that can fail).
// An Error carries a human-readable message that names the source, line, field and value.
#include <string>
#include <utility>

#include <tl/expected.hpp>

namespace greekbook {

struct Error {
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> make_error(std::string message) {
  return tl::unexpected<Error>(Error{std::move(message)});
}

}  // namespace greekbook

/// Evaluates a Result-returning expression; on error returns its error from the enclosing function,
/// else binds the value to `var`.
#define GB_TRY(var, expr)                                  \
  auto var##_result_ = (expr);                             \
  if (!var##_result_) return tl::unexpected(var##_result_.error()); \
  auto var = std::move(*var##_result_)
