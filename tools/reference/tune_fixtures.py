#!/usr/bin/env python3
"""Oracle fixtures for `kanna tune` (dev.kanna.tune), from the real Optuna.

Writes trainer/src/test/resources/reference/tune_cases.json:
- "erf": erf/erfc at points across every branch of FreeBSD's s_erf.c (Python's math module).
- "truncnorm": Optuna's TPE truncated-normal helpers (optuna/samplers/_tpe/_truncnorm.py):
  log_ndtr, log_gauss_mass(a, b), ppf(q, a, b) and logpdf(x, a, b) at points in the centre and the
  far tails.
- "parzen": Optuna's _ParzenEstimator (the TPESampler's default parameters: prior weight 1, magic
  clip, no endpoints, default_weights) built on given observations over a float, a log-float, an
  int, a log-int and a categorical parameter, alone and together (the multivariate product), and its
  log_pdf at query points: deterministic, no random draws. Where observations tie, which tied kernel
  gets which width follows np.argsort's order of equal values, which numpy leaves unspecified (its
  SIMD sort differs by CPU); it changes the density when kernel weights differ (30 trials) or a
  kernel spans several parameters. Those cases also carry "log_pdf_stable_ties": the same estimator
  with ties kept in observation order (np.argsort kind="stable"), what Kanna's stable sort does.
- "asha": sequential studies with Optuna's SuccessiveHalvingPruner (min_resource=1,
  reduction_factor=4, min_early_stopping_rate=0, and a few other settings), each trial reporting
  given intermediate values at steps 1, 2, ... and stopping when should_prune() says so; per trial,
  the step it was pruned at (null: ran to the end). Values are random, some with NaN, ties and
  both directions. Seeded: the same Optuna gives the same file.

    .venv-ref/bin/python tools/reference/tune_fixtures.py
"""
import json
import math
import os
import random

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe import _truncnorm
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.normpath(os.path.join(ROOT, "trainer", "src", "test", "resources", "reference", "tune_cases.json"))


def erf_cases():
    xs = [0.0, 1e-30, 2 ** -29, 1e-5, 0.1, 0.5, 0.84, 0.85, 1.0, 1.2, 1.3, 2.0, 2.8, 2.9, 4.0, 5.9, 6.1, 10.0, 27.0, 29.0]
    xs = xs + [-x for x in xs if x != 0]
    return [{"x": x, "erf": math.erf(x), "erfc": math.erfc(x)} for x in xs]


def truncnorm_cases():
    points = [-40.0, -25.0, -19.0, -8.0, -3.0, -1.0, -0.2, 0.0, 0.3, 1.5, 5.0, 7.0, 30.0]
    log_ndtr = [{"a": a, "value": float(_truncnorm._log_ndtr(np.array([a]))[0])} for a in points]
    intervals = [(-1.0, 1.0), (-3.0, -2.0), (2.0, 3.0), (-30.0, -29.0), (25.0, 26.0), (-0.5, 40.0), (-40.0, 0.1),
                 (0.0, 1e-3), (-5.0, 5.0), (7.0, 9.0)]
    mass, ppf, logpdf = [], [], []
    for a, b in intervals:
        mass.append({"a": a, "b": b, "value": float(_truncnorm._log_gauss_mass(np.array([a]), np.array([b]))[0])})
        for q in [0.0, 1e-9, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0]:
            ppf.append({"q": q, "a": a, "b": b, "value": float(_truncnorm.ppf(np.array([q]), a, b)[0])})
        for x in [a, 0.5 * (a + b), b, a + 0.1 * (b - a)]:
            logpdf.append({"x": x, "a": a, "b": b, "value": float(_truncnorm.logpdf(np.array([x]), a, b)[0])})
    return {"log_ndtr": log_ndtr, "log_gauss_mass": mass, "ppf": ppf, "logpdf": logpdf}


def describe(d):
    if isinstance(d, CategoricalDistribution):
        return {"type": "categorical", "choices": list(d.choices)}
    kind = "int" if isinstance(d, IntDistribution) else "float"
    return {"type": kind, "low": d.low, "high": d.high, "log": d.log}


def parzen_cases(rng):
    spaces = {
        "float": {"x": FloatDistribution(-2.0, 3.0)},
        "log_float": {"lr": FloatDistribution(1e-5, 5e-4, log=True)},
        "int": {"epochs": IntDistribution(1, 5)},
        "log_int": {"n": IntDistribution(1, 64, log=True)},
        "categorical": {"batch": CategoricalDistribution([8, 16, 32])},
        "mixed": {"lr": FloatDistribution(1e-5, 5e-4, log=True), "batch": CategoricalDistribution([8, 16, 32]),
                  "epochs": IntDistribution(1, 5), "wd": FloatDistribution(0.0, 0.1),
                  "dropout": CategoricalDistribution([True, False])},
    }
    params = _ParzenEstimatorParameters(prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False,
                                        weights=default_weights, multivariate=True)
    cases = []
    for name, space in spaces.items():
        for n in [0, 1, 2, 3, 7, 30]:
            observations = {k: [] for k in space}
            for _ in range(n):
                for k, d in space.items():
                    observations[k].append(draw(rng, d))
            internal = {k: np.array([space[k].to_internal_repr(v) for v in observations[k]], dtype=float)
                        for k in space}
            pe = _ParzenEstimator(internal, space, params)
            queries = {k: [] for k in space}
            for _ in range(12):
                for k, d in space.items():
                    queries[k].append(draw(rng, d))
            q_internal = {k: np.array([space[k].to_internal_repr(v) for v in queries[k]], dtype=float) for k in space}
            log_pdf = pe.log_pdf(q_internal)
            case = {"name": f"{name}/{n}", "space": {k: describe(d) for k, d in space.items()},
                    "observations": [{k: observations[k][i] for k in space} for i in range(n)],
                    "queries": [{k: queries[k][i] for k in space} for i in range(12)],
                    "log_pdf": [float(v) for v in log_pdf]}
            unstable = np.argsort
            np.argsort = lambda a, *args, **kw: unstable(a, kind="stable")
            try:
                stable = _ParzenEstimator(internal, space, params).log_pdf(q_internal)
            finally:
                np.argsort = unstable
            if not np.array_equal(stable, log_pdf):
                case["log_pdf_stable_ties"] = [float(v) for v in stable]
            cases.append(case)
    return cases


def draw(rng, d):
    if isinstance(d, CategoricalDistribution):
        return rng.choice(d.choices)
    if isinstance(d, IntDistribution):
        if d.log:
            return int(min(d.high, max(d.low, round(math.exp(rng.uniform(math.log(d.low), math.log(d.high)))))))
        return rng.randint(d.low, d.high)
    if d.log:
        return math.exp(rng.uniform(math.log(d.low), math.log(d.high)))
    return rng.uniform(d.low, d.high)


def asha_cases(rng):
    cases = []
    settings = [(1, 4, 0)] * 10 + [(1, 2, 0), (2, 3, 0), (1, 3, 1)]
    for i, (min_resource, reduction_factor, rate) in enumerate(settings):
        direction = "maximize" if i % 2 == 0 else "minimize"
        trials = []
        for t in range(rng.randint(5, 40)):
            steps = rng.randint(1, 20)
            values = []
            for s in range(steps):
                r = rng.random()
                if r < 0.03:
                    values.append(float("nan"))
                elif r < 0.15:
                    values.append(round(rng.random(), 1))   # ties
                else:
                    values.append(rng.random())
            trials.append(values)
        pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=min_resource, reduction_factor=reduction_factor,
                                                        min_early_stopping_rate=rate)
        study = optuna.create_study(direction=direction, pruner=pruner,
                                    sampler=optuna.samplers.RandomSampler(seed=0))
        pruned_at = []
        for values in trials:
            trial = study.ask()
            stopped = None
            for step, v in enumerate(values, start=1):
                trial.report(v, step)
                if trial.should_prune():
                    stopped = step
                    break
            if stopped is None:
                last = values[-1]
                study.tell(trial, 0.0 if math.isnan(last) else last)
            else:
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            pruned_at.append(stopped)
        cases.append({"min_resource": min_resource, "reduction_factor": reduction_factor,
                      "min_early_stopping_rate": rate, "direction": direction,
                      "trials": [[None if math.isnan(v) else v for v in values] for values in trials],
                      "pruned_at": pruned_at})
    return cases


def main():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rng = random.Random(20240613)
    out = {"optuna": optuna.__version__, "numpy": np.__version__, "seed": 20240613,
           "erf": erf_cases(), "truncnorm": truncnorm_cases(), "parzen": parzen_cases(rng), "asha": asha_cases(rng)}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, allow_nan=True)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
