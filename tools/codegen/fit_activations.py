"""Fits the polynomial and rational approximations VectorMath uses for exp, erf and tanh.

Rational fits f(x) ≈ x·P(x²)/Q(x²) on (0, clamp] by Sanathanan–Koerner iterations (linear least
squares with the previous denominator as weight) refined by Lawson's reweighting towards minimax
relative error; exp's polynomial on [−ln2/2, ln2/2] the same way. Prints the coefficients rounded to
float, and their error in float32 evaluation (numpy, without FMA: a slight overestimate of what the
Java kernels, which use FMA, achieve; VectorMathTest measures the real thing). Needs numpy:
    /work/venv-ref/bin/python tools/codegen/fit_activations.py
"""
import math

import numpy as np
from numpy.polynomial import polynomial as poly


def fit_rational(f, clamp, n_num, n_den, points=4000, iterations=40):
    t = np.cos(np.pi * (np.arange(points) + 0.5) / points)
    x = np.sort(np.abs((t + 1) / 2 * clamp)) + 1e-6
    y, s = f(x), x * x
    den_prev, lawson = np.ones_like(x), np.ones_like(x)
    for _ in range(iterations):
        columns = [x * s ** i for i in range(n_num)] + [-y * s ** j for j in range(1, n_den)]
        a = np.stack(columns, 1)
        w = np.sqrt(lawson) / np.abs(y) / np.abs(den_prev)
        coef, *_ = np.linalg.lstsq(a * w[:, None], y * w, rcond=None)
        p, q = coef[:n_num], np.concatenate([[1.0], coef[n_num:]])
        den_prev = poly.polyval(s, q)
        err = np.abs((x * poly.polyval(s, p) / den_prev - y) / y)
        lawson = lawson * err / err.max()
        lawson *= len(x) / lawson.sum()
    return p, q, err.max()


def fit_exp(degree=6, points=6000, iterations=60):
    r = np.cos(np.pi * (np.arange(points) + 0.5) / points) * math.log(2) / 2
    y, lawson = np.exp(r), np.ones(points)
    for _ in range(iterations):
        a = np.stack([r ** i for i in range(2, degree + 1)], 1)
        w = np.sqrt(lawson) / y
        c, *_ = np.linalg.lstsq(a * w[:, None], (y - 1 - r) * w, rcond=None)
        err = np.abs(1 + r + a @ c - y) / y
        lawson = lawson * err / err.max()
        lawson *= points / lawson.sum()
    return c, err.max()


def float32_error(f, p, q, clamp):
    x = np.linspace(-clamp - 1, clamp + 1, 2_000_001).astype(np.float32)
    xc = np.clip(x, -clamp, clamp).astype(np.float32)
    s = (xc * xc).astype(np.float32)
    num, den = np.full_like(s, np.float32(p[-1])), np.full_like(s, np.float32(q[-1]))
    for c in np.float32(p[-2::-1]):
        num = (num * s + c).astype(np.float32)
    for c in np.float32(q[-2::-1]):
        den = (den * s + c).astype(np.float32)
    got = (xc * num / den).astype(np.float64)
    return np.abs(got - f(x.astype(np.float64))).max()


if __name__ == "__main__":
    erf = np.vectorize(math.erf)
    for name, f, clamp, n_num, n_den in [("erf", erf, 3.92, 7, 5), ("tanh", np.tanh, 9.0, 5, 5)]:
        p, q, rel = fit_rational(f, clamp, n_num, n_den)
        print(f"{name}: clamp {clamp}, fit relative error {rel:.2e}, float32 absolute error "
              f"{float32_error(f, p, q, clamp):.2e}")
        print("  P:", ", ".join(np.format_float_scientific(np.float32(c), unique=True) for c in p))
        print("  Q:", ", ".join(np.format_float_scientific(np.float32(c), unique=True) for c in q))
    c, rel = fit_exp()
    print(f"exp: degree 6 on [-ln2/2, ln2/2], relative error {rel:.2e}")
    print("  c2..c6:", ", ".join(np.format_float_scientific(np.float32(x), unique=True) for x in c))
