"""Reference numbers for the MBG/NBD tests (MBGNBDModelTests.swift), from an oracle independent of clubsh.

Run with the Python `lifetimes` package, version 0.11.3, and mpmath
(pip install lifetimes==0.11.3 scipy autograd mpmath; the fixture was made with Python 3.11.7,
numpy 2.4.6, pandas 3.1.1, scipy 1.17.1, autograd 1.9.1 and mpmath 1.4.1):

    python Tests/ClubKitTests/Fixtures/mbgnbd_reference.py > Tests/ClubKitTests/Fixtures/mbgnbd_reference.json

It reads CDNOW_sample.txt beside it (2,357 customers; columns: master id, customer id, date yyyyMMdd,
CDs, value), keeps the transactions on or before 1997-09-30 (the 39-week calibration period), and
summarises each customer (column 2) as lifetimes and clubsh define it: x = distinct purchase days − 1,
t_x = last − first purchase day, T = 1997-09-30 − first purchase day, both in days / 7 (weeks).

The fit is lifetimes' ModifiedBetaGeoFitter().fit(frequency, recency, T, tol=1e-9) (BFGS on
log-parameters with autograd gradients, on times it rescales internally; 1e-9 is the tightest
tolerance at which it reports success). The likelihood it reports is on the rescaled times, so the
log-likelihood kept here is lifetimes' _negative_log_likelihood evaluated in weeks. A second, separate fit minimises the MBG/NBD
log-likelihood written out below from Batislam, Denizel & Filiztekin (2007) with scipy's
Nelder–Mead, as a check that the two agree. The log-likelihood, P(alive) and the conditional
expected purchases are lifetimes' own functions, at the fitted parameters and at fixed ones.

"hard_cases" are expected purchases for a customer still alive (the numerator of lifetimes'
conditional expectation) where double-precision series struggle: a = 1 exactly, a long horizon,
a frequent buyer in days over 100 years, r far above a + b. They are evaluated with mpmath's
hyp2f1 at 80 digits (at a = 1 + 1e-40 for a = 1, whose formula divides by a − 1).
"""
import datetime
import json
import os
import sys

import mpmath
import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln
from lifetimes import ModifiedBetaGeoFitter

here = os.path.dirname(os.path.abspath(__file__))
end = datetime.date(1997, 9, 30)
days = {}
with open(os.path.join(here, "CDNOW_sample.txt")) as f:
    for line in f:
        fields = line.split()
        if not fields:
            continue
        d = datetime.datetime.strptime(fields[2], "%Y%m%d").date()
        if d <= end:
            days.setdefault(fields[1], set()).add(d)

customers = sorted(days)
x = np.array([len(days[c]) - 1 for c in customers], dtype=float)
tx = np.array([(max(days[c]) - min(days[c])).days / 7 for c in customers])
T = np.array([(end - min(days[c])).days / 7 for c in customers])


def total_log_likelihood(r, alpha, a, b):
    """The MBG/NBD log-likelihood of Batislam et al. (2007), summed over customers:
    ln L = ln B(a, b+x+1) − ln B(a, b) + ln Γ(r+x) − ln Γ(r) + r ln α
           + ln[ (α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x) ]"""
    part = (gammaln(b + x + 1) + gammaln(a + b) - gammaln(b) - gammaln(a + b + x + 1)
            + gammaln(r + x) - gammaln(r) + r * np.log(alpha))
    last = np.logaddexp(-(r + x) * np.log(alpha + T), np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + tx))
    return float(np.sum(part + last))


mbg = ModifiedBetaGeoFitter().fit(x, tx, T, tol=1e-9)
fitted = {k: float(mbg.params_[k]) for k in ["r", "alpha", "a", "b"]}

check = minimize(lambda p: -total_log_likelihood(*np.exp(p)), np.zeros(4), method="Nelder-Mead",
                 options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 100000, "maxfev": 100000})
check = minimize(lambda p: -total_log_likelihood(*np.exp(p)), check.x, method="Nelder-Mead",
                 options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 100000, "maxfev": 100000})
nelder_mead = dict(zip(["r", "alpha", "a", "b"], map(float, np.exp(check.x))))


# Customer 0001 (x = 2), 0002 (one repeat, early), 1000 (x = 4), 0010 (a one-time buyer watched
# 39 weeks), the one-time buyer watched the shortest time and the customer with the most repeat days.
one_time = [i for i in range(len(x)) if x[i] == 0]
chosen = ["0001", "0002", "1000", "0010", customers[min(one_time, key=lambda i: (T[i], customers[i]))],
          customers[max(range(len(x)), key=lambda i: (x[i], customers[i]))]]


def at(params):
    """lifetimes' functions at the given parameters."""
    m = ModifiedBetaGeoFitter()
    m.params_ = pd.Series(params)
    loglik = -float(ModifiedBetaGeoFitter._negative_log_likelihood(
        np.log([params[k] for k in ["r", "alpha", "a", "b"]]), x, tx, T, np.ones_like(x), 0.0)) * len(x)
    rows = []
    for c in chosen:
        i = customers.index(c)
        for t in [39.0, 52.0]:
            rows.append({
                "customer": c, "x": x[i], "tx": tx[i], "T": T[i], "t": t,
                "p_alive": float(np.atleast_1d(m.conditional_probability_alive(x[i], tx[i], T[i]))[0]),
                "expected_purchases": float(m.conditional_expected_number_of_purchases_up_to_time(t, x[i], tx[i], T[i])),
            })
    return {"parameters": params, "log_likelihood": loglik, "own_log_likelihood": total_log_likelihood(**params), "customers": rows}


def if_alive(params, x, T, t):
    mpmath.mp.dps = 80
    r, alpha, a, b = (mpmath.mpf(params[k]) for k in ["r", "alpha", "a", "b"])
    if a == 1:
        a += mpmath.mpf("1e-40")
    x, T, t = mpmath.mpf(x), mpmath.mpf(T), mpmath.mpf(t)
    hyp = mpmath.hyp2f1(r + x, b + x + 1, a + b + x, t / (alpha + T + t))
    return float((a + b + x) / (a - 1) * (1 - hyp * ((alpha + T) / (alpha + T + t)) ** (r + x)))


hard = []
for params, x_, T_, t_ in [({"r": 0.5, "alpha": 6.0, "a": 1.0, "b": 1.6}, 2, 38, 52),
                           ({"r": 0.3, "alpha": 2.0, "a": 5.0, "b": 3.0}, 0, 30, 5000),
                           ({"r": 0.8, "alpha": 40.0, "a": 0.9, "b": 2.0}, 700, 900, 36500),
                           ({"r": 20.0, "alpha": 50.0, "a": 0.5, "b": 0.5}, 3, 200, 300),
                           ({"r": 0.7, "alpha": 5.0, "a": 0.26, "b": 6.8}, 52, 78, 5214)]:
    hard.append({"parameters": params, "x": x_, "T": T_, "t": t_, "expected_purchases_if_alive": if_alive(params, x_, T_, t_)})

out = {
    "source": "lifetimes 0.11.3 ModifiedBetaGeoFitter on CDNOW_sample.txt, 39-week calibration to 1997-09-30, unit weeks; "
              "generated by mbgnbd_reference.py",
    "customers": len(x),
    "repeat_customers": int((x > 0).sum()),
    "fit": {"parameters": fitted, "nelder_mead_check": nelder_mead,
            "nelder_mead_log_likelihood": -float(check.fun)},
    "at_fit": at(fitted),
    "at_fixed": at({"r": 0.5, "alpha": 10.0, "a": 2.0, "b": 3.0}),
    "hard_cases": hard,
}
json.dump(out, sys.stdout, indent=2)
sys.stdout.write("\n")
