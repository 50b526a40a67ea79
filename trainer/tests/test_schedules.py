import pytest

from trainer import schedules


def test_sigma_alpha_default_grid_is_i_over_n():
    sig, alp = schedules.grid(4)
    assert sig == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert alp == sig  # sigma_max = rho_n = rho_r = 1: alpha = sigma = i/N (docs/method.md §3)


def test_sigma_alpha_with_parameters():
    # Eq. 22-23: sigma = sigma_max (t/T)^rho_n, alpha = (t/T)^rho_r
    assert schedules.sigma(0.5, sigma_max=2.0, rho_n=2.0) == pytest.approx(0.5)
    assert schedules.alpha(0.5, rho_r=3.0) == pytest.approx(0.125)
    assert schedules.sigma(1.0, sigma_max=2.0, rho_n=7.0) == pytest.approx(2.0)
    assert schedules.sigma(0.0, 2.0, 2.0) == 0.0 and schedules.alpha(0.0, 2.0) == 0.0
    # alpha as a function of sigma (what the exported graph computes)
    s = schedules.sigma(0.3, 2.0, 2.0)
    assert schedules.alpha_of_sigma(s, 2.0, 2.0, 3.0) == pytest.approx(0.3 ** 3)
    assert schedules.alpha_of_sigma(0.7) == 0.7


@pytest.mark.parametrize("total,s0,s1,table", [
    # K' = floor(K / (s0 - s1 + 1)); T(k) = max(s0 - floor(k / K'), s1)
    (10, 4, 3, [4, 4, 4, 4, 4, 3, 3, 3, 3, 3]),                 # K' = 5
    (9, 4, 3, [4, 4, 4, 4, 3, 3, 3, 3, 3]),                     # K' = 4, T(8) = max(2, 3)
    (12, 6, 3, [6, 6, 6, 5, 5, 5, 4, 4, 4, 3, 3, 3]),           # K' = 3
    (8, 4, 4, [4] * 8),                                         # s0 = s1: constant
])
def test_curriculum_table(total, s0, s1, table):
    assert [schedules.curriculum(k, total, s0, s1) for k in range(total)] == table


def test_curriculum_official_numbers():
    K = 500_000  # official CT run: K' = 250k
    assert schedules.curriculum(0, K) == 4
    assert schedules.curriculum(249_999, K) == 4
    assert schedules.curriculum(250_000, K) == 3
    assert schedules.curriculum(10 ** 7, K) == 3  # DTM iterations after CT stay at s1
