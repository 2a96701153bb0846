// Contract sizes and tick sizes of Deribit products, embedded from public/get_instruments responses
// (currency=BTC/ETH/SOL/USDC, expired=false; the BTC and ETH lists are from 2021-07-22, the SOL and USDC
// lists hold instruments created in 2022).
// Venues change these without notice: they are defaults for rounding and display, not live values.
#include <array>

#include "instruments/detail.hpp"

namespace greekbook::instruments::detail {
namespace {

struct Row {
  std::string_view coin;
  ContractSpec spec;
};

// Inverse futures and perpetuals: quantity is USD notional, price in USD.
// BTC-PERPETUAL and BTC-24SEP21: contract_size 10.0, tick_size 0.5; ETH-*: contract_size 1, tick_size 0.05;
// SOL-PERPETUAL and SOL-24JUN22: contract_size 10.0, tick_size 0.01 (future_type "reversed").
constexpr std::array kInverseFutures = {
    Row{"BTC", {10.0, 0.5}},
    Row{"ETH", {1.0, 0.05}},
    Row{"SOL", {10.0, 0.01}},
};

// Inverse options: quantity in coin (contract_size 1.0), premium in coin.
// BTC-24SEP21-40000-P and ETH options: tick_size 0.0005; SOL-10JUN22-28-P: tick_size 0.001.
constexpr std::array kInverseOptions = {
    Row{"BTC", {1.0, 0.0005}},
    Row{"ETH", {1.0, 0.0005}},
    Row{"SOL", {1.0, 0.001}},
};

// Linear USDC perpetuals (<COIN>_USDC-PERPETUAL, future_type "linear"): quantity in coin, price in USDC.
constexpr std::array kLinearUsdcFutures = {
    Row{"BTC", {0.001, 1.0}},     Row{"ETH", {0.01, 0.1}},      Row{"SOL", {0.1, 0.01}},
    Row{"XRP", {10.0, 0.0001}},   Row{"ADA", {10.0, 0.0001}},   Row{"ALGO", {10.0, 0.0001}},
    Row{"AVAX", {0.1, 0.01}},     Row{"BCH", {0.02, 0.01}},     Row{"DOGE", {100.0, 0.00001}},
    Row{"DOT", {1.0, 0.001}},     Row{"LINK", {1.0, 0.001}},    Row{"LTC", {0.1, 0.01}},
    Row{"MATIC", {10.0, 0.0001}}, Row{"NEAR", {1.0, 0.001}},    Row{"TRX", {100.0, 0.00001}},
    Row{"UNI", {1.0, 0.001}},
};

template <std::size_t N>
ContractSpec find(const std::array<Row, N>& table, std::string_view coin, ContractSpec fallback) noexcept {
  for (const Row& row : table)
    if (row.coin == coin) return row.spec;
  return fallback;
}

}  // namespace

ContractSpec deribit_inverse_future_spec(std::string_view coin) noexcept {
  return find(kInverseFutures, coin, ContractSpec{1.0, 0.0});  // other coins: 1 USD, tick unknown
}

ContractSpec deribit_inverse_option_spec(std::string_view coin) noexcept {
  return find(kInverseOptions, coin, ContractSpec{1.0, 0.0});
}

ContractSpec deribit_linear_future_spec(std::string_view coin, std::string_view quote) noexcept {
  if (quote != "USDC") return ContractSpec{1.0, 0.0};
  return find(kLinearUsdcFutures, coin, ContractSpec{1.0, 0.0});
}

}  // namespace greekbook::instruments::detail
