"""Noise/shift schedules (supplement Eq. 22-23) and the step curriculum (Eq. 24); docs/method.md §3.

Time is continuous t in [0, T]; only the ratio t/T matters, so functions take u = t/T in [0, 1].
"""
import math


def sigma(u, sigma_max=1.0, rho_n=1.0):
    """Eq. 22: sigma(t) = sigma_max * (t/T)^rho_n. Works on floats and tensors."""
    return sigma_max * u ** rho_n


def alpha(u, rho_r=1.0):
    """Eq. 23: alpha(t) = (t/T)^rho_r, the share of the bicubic image y0 in x_t."""
    return u ** rho_r


def u_of_sigma(s, sigma_max=1.0, rho_n=1.0):
    """Inverse of Eq. 22: the app passes sigma to the exported graph, the graph needs alpha."""
    return (s / sigma_max) ** (1.0 / rho_n)


def alpha_of_sigma(s, sigma_max=1.0, rho_n=1.0, rho_r=1.0):
    """alpha as a function of sigma; with the defaults (sigma_max = rho = 1) it is sigma itself."""
    if sigma_max == 1.0 and rho_n == 1.0 and rho_r == 1.0:
        return s  # keep the exported graph free of Pow nodes in the default case
    return u_of_sigma(s, sigma_max, rho_n) ** rho_r


def grid(n_intervals, sigma_max=1.0, rho_n=1.0, rho_r=1.0):
    """The discretisation t_i = i/N, i = 0..N: returns lists (sigma_i, alpha_i)."""
    us = [i / n_intervals for i in range(n_intervals + 1)]
    return [sigma(u, sigma_max, rho_n) for u in us], [alpha(u, rho_r) for u in us]


def curriculum(k, total, s0=4, s1=3):
    """Eq. 24: T(k) = max(s0 - floor(k / K'), s1), K' = floor(K / (s0 - s1 + 1)).

    The number of grid intervals shrinks from s0 to s1 as training proceeds.
    """
    k_prime = max(math.floor(total / (s0 - s1 + 1)), 1)  # guard K < s0-s1+1 (tiny test runs)
    return max(s0 - k // k_prime, s1)
