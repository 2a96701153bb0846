#pragma once
// Historical and filtered historical scenarios (docs/var.md).
//
// Historical simulation: the daily log returns of each underlying's price and ATM vol over the
// window, applied to today's state; an h-day scenario is an overlapping window of h consecutive
// daily returns (their sum), so a window of W days gives W - h + 1 scenarios.
// Filtered historical simulation (Barone-Adesi, Giannopoulos and Vosper 1999; Hull and White 1998):
// each factor's returns are divided by their EWMA volatility of the day (RiskMetrics, lambda 0.94),
//   sigma_1^2 = mean of the first min(30, n) squared returns,  sigma_{t+1}^2 = lambda sigma_t^2 + (1 - lambda) r_t^2,
// and multiplied by the forecast for tomorrow sigma_{n+1}: r~_t = r_t sigma_{n+1} / sigma_t. h-day scenarios
// are overlapping sums of h rescaled returns (today's volatility held over the horizon).
#include <cstddef>
#include <span>
#include <vector>

#include "greekbook/risk/history.hpp"
#include "greekbook/risk/var_book.hpp"

namespace greekbook::risk {

/// EWMA volatility: sigma[t] is the forecast for return t made with returns before it (sigma.size() = r.size()
/// + 1: the last entry is the forecast for the day after the sample).
std::vector<double> ewma_sigma(std::span<const double> r, double lambda, std::size_t seed_count = 30);

/// Daily scenarios of `daily` (every return as one scenario when h = 1), h-day overlapping windows otherwise.
/// Factors without a vol row keep vol factor 1.
ScenarioSet horizon_scenarios(const Returns& daily, std::size_t horizon_days);

/// The last `window` daily returns of `full` rescaled by EWMA volatility to the forecast for the day after
/// the sample (price and ATM-vol returns alike), as Returns (last_* unchanged).
Returns filtered_returns(const Returns& full, std::size_t window, double lambda);

}  // namespace greekbook::risk
