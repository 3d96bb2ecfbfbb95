#!/usr/bin/env python3
"""An independent computation of `campaign` on the golden data (campaign.club quotes it).

    python3 Tests/clubshTests/Golden/data/campaign-check.py

Reads the CSVs with the csv module, applies the rules of docs/language.md ("Campaigns") row by
row, and prints each figure; the statistics come from python's statistics.NormalDist.
"""
import csv, os
from datetime import date, timedelta
from math import sqrt
from statistics import NormalDist

here = os.path.dirname(os.path.abspath(__file__))
def rows(name):
    with open(os.path.join(here, name)) as f:
        return list(csv.DictReader(f))

orders = [(r["customer_id"], date.fromisoformat(r["date"]), float(r["amount"])) for r in rows("campaign-orders.csv")]
city = {r["id"]: r["city"] for r in rows("campaign-customers.csv")}
ARMS = {"treatment": "t", "test": "t", "control": "c", "holdout": "c"}

def measure(window, margin=1.0, by=None):
    first, cost = {}, {}
    for r in rows("campaign-contacts.csv"):
        arm = ARMS.get(r["group"].strip().lower())
        if not r["customer_id"] or not r["date"] or arm is None:
            continue
        d = date.fromisoformat(r["date"])
        if r["customer_id"] not in first or d < first[r["customer_id"]][0]:
            first[r["customer_id"]] = (d, arm)
        cost[r["customer_id"]] = cost.get(r["customer_id"], 0) + float(r["cost"] or 0)
    groups = {}
    for cust, (d, arm) in first.items():
        spent = [a for (c, day, a) in orders if c == cust and d < day <= d + timedelta(days=window)]
        key = city.get(cust) if by else None
        g = groups.setdefault(key, {"t": [0, 0, 0.0], "c": [0, 0, 0.0], "cost": 0.0})
        g[arm][0] += 1
        g[arm][1] += 1 if spent else 0
        g[arm][2] += sum(spent)
        g["cost"] += cost[cust]
    for key in sorted(groups, key=lambda k: (k is None, k or "")):
        g = groups[key]
        (n1, x1, r1), (n2, x2, r2) = g["t"], g["c"]
        print(f"{key}: treatment {x1}/{n1} revenue {r1}; control {x2}/{n2} revenue {r2}; cost {g['cost']}")
        if n1 == 0 or n2 == 0:
            continue
        p1, p2, p = x1 / n1, x2 / n2, (x1 + x2) / (n1 + n2)
        se0 = sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
        se1 = sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
        zc = NormalDist().inv_cdf(0.975)
        z = (p1 - p2) / se0 if se0 else None
        pv = 2 * (1 - NormalDist().cdf(abs(z))) if z is not None else None
        inc = (r1 / n1 - r2 / n2) * n1
        roi = (inc * margin - g["cost"]) / g["cost"] * 100 if g["cost"] else None
        print(f"  uplift {100 * (p1 - p2)!r} interval {(100 * (p1 - p2 - zc * se1), 100 * (p1 - p2 + zc * se1)) if se1 else None}"
              f" z {z!r} p {pv!r} incremental {inc!r} roi {roi!r}")

print("window 30d:"); measure(30)
print("window 31d, margin 50%:"); measure(31, 0.5)
print("window 30d by city:"); measure(30, by=True)
