#pragma once
// Rational cubic interpolation with shape-preserving control parameter (Delbourgo & Gregory 1985,
// as used for the initial guess in Jaeckel 2015). Internal to the implied-volatility solver.
namespace greekbook::pricing::detail {

double rational_cubic_interpolation(double x, double x_l, double x_r, double y_l, double y_r,
                                    double d_l, double d_r, double r) noexcept;

double rational_cubic_control_fit_left(double x_l, double x_r, double y_l, double y_r, double d_l,
                                       double d_r, double second_derivative_l,
                                       bool prefer_shape_preservation) noexcept;

double rational_cubic_control_fit_right(double x_l, double x_r, double y_l, double y_r, double d_l,
                                        double d_r, double second_derivative_r,
                                        bool prefer_shape_preservation) noexcept;

}  // namespace greekbook::pricing::detail
