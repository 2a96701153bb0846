#pragma once
#include <optional>
#include <string_view>

namespace greekbook::pricing {

/// Right of a European option.
enum class OptionType : int { Call = 1, Put = -1 };

/// +1 for a call, -1 for a put (the theta of Black's formula written as theta*(F N(theta d1) - ...)).
constexpr double sign(OptionType t) noexcept { return t == OptionType::Call ? 1.0 : -1.0; }

/// Parses "call"/"c"/"put"/"p" (any case); nullopt otherwise.
std::optional<OptionType> parse_option_type(std::string_view text) noexcept;

}  // namespace greekbook::pricing
