#!/usr/bin/env python3
"""What Optuna's default TPESampler proposes given a fixed history, to compare Kanna's TPE with.

A synthetic search over Kanna's default space (lr log-uniform 1e-5..5e-4, batch_size {8, 16, 32},
epochs 1..5, warmup_ratio 0..0.2, dropout on/off): 30 complete trials at random settings scored by
a smooth function (best near lr 1e-4, batch 16, 3 epochs, warmup 0.1, dropout on) plus 6 pruned
trials with one or two intermediate values. Given exactly that history, the next trial is proposed
by 2000 TPESampler(seed=k) (k = 0..1999, every other setting Optuna 5's default: multivariate, 10
start-up trials, 24 candidates), and the proposals' distribution is summarised: for float and int
parameters the deciles and the mean (lr in log10), for categorical ones the share of each choice.
This is not a bit-equality check (the random streams differ); Kanna's proposals from the same
history should have the same distribution (TpeProposalsTest, and the README's table).

Tied observations (the int epochs, 32 trials in the "above" estimator) make Optuna's kernel widths
depend on np.argsort's order of equal values, which numpy leaves unspecified (its SIMD sort differs
by CPU); with more than 25 trials the kernels' weights differ, so the order changes the density. The
proposals are therefore drawn twice: as Optuna runs here ("optuna_summary") and with ties kept in
trial order (np.argsort kind="stable", "optuna_summary_stable_ties"), which is what Kanna's stable
sort does.

Writes trainer/src/test/resources/reference/tpe_proposals.json (history and Optuna's summary).

    .venv-ref/bin/python tools/reference/tpe_proposals.py
"""
import json
import math
import os
import random

import numpy as np
import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
OUT = os.path.normpath(os.path.join(ROOT, "trainer", "src", "test", "resources", "reference", "tpe_proposals.json"))
SPACE = {
    "lr": FloatDistribution(1e-5, 5e-4, log=True),
    "batch_size": CategoricalDistribution([8, 16, 32]),
    "epochs": IntDistribution(1, 5),
    "warmup_ratio": FloatDistribution(0.0, 0.2),
    "dropout": CategoricalDistribution([True, False]),
}
PROPOSALS = 2000


def score(p):
    return (0.9 - 0.08 * (math.log10(p["lr"]) + 4) ** 2 - (0 if p["batch_size"] == 16 else 0.03)
            - 0.01 * (p["epochs"] - 3) ** 2 - 0.5 * (p["warmup_ratio"] - 0.1) ** 2 - (0 if p["dropout"] else 0.02))


def draw(rng):
    return {"lr": math.exp(rng.uniform(math.log(1e-5), math.log(5e-4))), "batch_size": rng.choice([8, 16, 32]),
            "epochs": rng.randint(1, 5), "warmup_ratio": rng.uniform(0, 0.2), "dropout": rng.choice([True, False])}


def summary(proposals):
    out = {}
    for name, d in SPACE.items():
        values = [p[name] for p in proposals]
        if isinstance(d, CategoricalDistribution):
            out[name] = {"shares": {json.dumps(c): sum(v == c for v in values) / len(values) for c in d.choices}}
        else:
            x = np.log10(values) if d.log else np.asarray(values, dtype=float)
            out[name] = {"deciles": [float(q) for q in np.percentile(x, range(10, 100, 10))], "mean": float(np.mean(x))}
            if isinstance(d, IntDistribution):
                out[name]["shares"] = {str(c): sum(v == c for v in values) / len(values) for c in range(d.low, d.high + 1)}
    return out


def propose(frozen):
    proposals = []
    for k in range(PROPOSALS):
        study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=k))
        study.add_trials(frozen)
        proposals.append(study.ask(SPACE).params)
    return proposals


def main():
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    rng = random.Random(7)
    history = []
    for n in range(30):
        p = draw(rng)
        history.append({"number": n, "state": "complete", "settings": p, "value": score(p), "epoch_values": [score(p)]})
    for n in range(30, 36):
        p = draw(rng)
        values = [score(p) - 0.2 + 0.05 * i for i in range(rng.randint(1, 2))]
        history.append({"number": n, "state": "pruned", "settings": p, "value": None, "epoch_values": values})
    frozen = []
    for h in history:
        if h["state"] == "complete":
            frozen.append(optuna.trial.create_trial(params=h["settings"], distributions=SPACE, value=h["value"]))
        else:
            frozen.append(optuna.trial.create_trial(params=h["settings"], distributions=SPACE,
                                                    state=optuna.trial.TrialState.PRUNED,
                                                    intermediate_values={i + 1: v for i, v in enumerate(h["epoch_values"])}))
    proposals = propose(frozen)
    unstable = np.argsort
    np.argsort = lambda a, *args, **kw: unstable(a, kind="stable")
    try:
        stable = propose(frozen)
    finally:
        np.argsort = unstable
    out = {"optuna": optuna.__version__, "seed": 7, "proposals": PROPOSALS, "direction": "maximize",
           "space": {"lr": {"type": "float", "low": 1e-5, "high": 5e-4, "log": True},
                     "batch_size": {"type": "categorical", "choices": [8, 16, 32]},
                     "epochs": {"type": "int", "low": 1, "high": 5}, "warmup_ratio": {"type": "float", "low": 0.0, "high": 0.2},
                     "dropout": {"type": "categorical", "choices": [True, False]}},
           "history": history, "optuna_summary": summary(proposals), "optuna_summary_stable_ties": summary(stable)}
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")
    print(json.dumps(out["optuna_summary_stable_ties"], indent=1))


if __name__ == "__main__":
    main()
