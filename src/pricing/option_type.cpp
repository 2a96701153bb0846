#include "greekbook/pricing/option_type.hpp"

#include <cctype>
#include <string>

namespace greekbook::pricing {

std::optional<OptionType> parse_option_type(std::string_view text) noexcept {
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (lower == "call" || lower == "c") return OptionType::Call;
  if (lower == "put" || lower == "p") return OptionType::Put;
  return std::nullopt;
}

}  // namespace greekbook::pricing
