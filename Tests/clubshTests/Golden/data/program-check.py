#!/usr/bin/env python3
"""An independent check of `simulate` on program-orders.csv and program-customers.csv.

It walks every day from the first order to the as-of date and moves each credit's points day
by day (redeemed: share × points / life on each day of its life; expired: what is left on the
day its life ends), instead of clubsh's closed forms and prefix sums. Run:

    python3 Tests/clubshTests/Golden/data/program-check.py [--per 20] [--no-customers]

The program is program.club's: earn 1 per 10, first_bonus 50, referral_bonus 100,
birthday_bonus 20, channel_bonus (app 2x), expire 100d, point_value 0.01,
tiers (silver 60, gold 150) over 90d, redeem 40%, as of 2024-06-30.
"""
import csv, datetime as dt, math, os, sys
from fractions import Fraction as F

here = os.path.dirname(os.path.abspath(__file__))
T = dt.date(2024, 6, 30)
EARN, PER, FIRST, REFERRAL, BIRTHDAY = 1, 10, 50, 100, 20
if "--per" in sys.argv: PER = int(sys.argv[sys.argv.index("--per") + 1])
MULT = {"app": 2}
LIFE, SHARE, VALUE, WINDOW = 100, F(2, 5), F(1, 100), 90
TIERS = [("base", 0), ("silver", 60), ("gold", 150)]

orders = [r for r in csv.DictReader(open(os.path.join(here, "program-orders.csv")))]
people = {} if "--no-customers" in sys.argv else {r["id"]: r for r in csv.DictReader(open(os.path.join(here, "program-customers.csv")))}
credits = []  # (customer, date, points, kind)
first = {}
revenue, count = {}, {}
for r in orders:
    c, d, a = r["customer_id"], dt.date.fromisoformat(r["date"]), F(r["amount"])
    if d > T: continue
    revenue[c] = revenue.get(c, 0) + a
    count[c] = count.get(c, 0) + 1
    if a <= 0: continue
    first[c] = min(first.get(c, d), d)
    p = math.floor(math.floor(a / PER) * EARN * MULT.get(r["channel"], 1))
    if p: credits.append((c, d, p, "order"))
for c, f in first.items():
    credits.append((c, f, FIRST, "first"))
    ref = people.get(c, {}).get("referred_by")
    if ref and ref != c and ref in people: credits.append((ref, f, REFERRAL, "referral"))
    m = people.get(c, {}).get("birth_month")
    if m:
        for y in range(f.year, T.year + 1):
            b = dt.date(y, int(m), 1)
            if f <= b <= T: credits.append((c, b, BIRTHDAY, "birthday"))

def ledger(upto):
    """Per customer: issued, redeemed, expired, by walking each day to `upto`."""
    out = {}
    for c, d, p, _ in credits:
        if d > upto: continue
        i, r, e = out.get(c, (0, F(0), F(0)))
        i += p
        day, left = d, F(p)
        while day <= upto and (day - d).days < LIFE:
            r += SHARE * p / LIFE
            left -= SHARE * p / LIFE
            day += dt.timedelta(days=1)
        if (upto - d).days >= LIFE:  # its life is over: what is left expired that day
            e += left
        out[c] = (i, r, e)
    return out

def tier(c, upto):
    pts = sum(p for cc, d, p, _ in credits if cc == c and (upto - d).days < WINDOW and d <= upto)
    return [n for n, t in TIERS if pts >= t][-1], pts

def members(upto):
    opened = {}
    for c, d, p, _ in credits:
        if d <= upto: opened[c] = min(opened.get(c, d), d)
    for c, f in first.items():
        if f <= upto: opened[c] = min(opened.get(c, f), f)
    return opened

def r2(x): return round(float(x) + 0, 2)

L = ledger(T)
M = members(T)
print("summary as of", T)
for name, _ in TIERS:
    cs = [c for c in M if tier(c, T)[0] == name]
    iss = sum(L.get(c, (0, 0, 0))[0] for c in cs); red = sum(L.get(c, (0, 0, 0))[1] for c in cs); exp = sum(L.get(c, (0, 0, 0))[2] for c in cs)
    rev = sum(revenue.get(c, 0) for c in cs); allrev = sum(revenue.get(c, 0) for c in M)
    cost = (iss - exp) * VALUE
    print(name, len(cs), r2(F(len(cs), len(M)) * 100), r2(rev), r2(rev / allrev * 100), iss, r2(red), r2(exp), r2(iss - red - exp),
          r2((iss - red - exp) * VALUE), r2(cost), r2(cost / rev * 100) if rev > 0 else None)
iss = sum(v[0] for v in L.values()); red = sum(v[1] for v in L.values()); exp = sum(v[2] for v in L.values())
print("total issued", iss, "redeemed", float(red), "expired", float(exp), "outstanding", float(iss - red - exp))
print("members")
for c in sorted(M, key=int):
    i, r, e = L[c]
    kinds = {k: sum(p for cc, _, p, kk in credits if cc == c and kk == k) for k in ("order", "first", "referral", "birthday")}
    t, pts = tier(c, T)
    print(c, t, first.get(c), count.get(c, 0), r2(revenue.get(c, 0)), kinds, i, r2(r), r2(e), r2(i - r - e), pts, r2((i - r - e) * VALUE))
print("by month")
prev = (0, F(0), F(0))
for m in range(1, 7):
    end = (dt.date(2024, m + 1, 1) - dt.timedelta(days=1)) if m < 6 else T
    Lm = ledger(end); Mm = members(end)
    cum = (sum(v[0] for v in Lm.values()), sum(v[1] for v in Lm.values()), sum(v[2] for v in Lm.values()))
    start = dt.date(2024, m, 1)
    rev = sum(F(r["amount"]) for r in orders if start <= dt.date.fromisoformat(r["date"]) <= end)
    new = sum(1 for c, d in Mm.items() if d >= start)
    tiers = [sum(1 for c in Mm if tier(c, end)[0] == n) for n, _ in TIERS]
    flows = [cum[k] - prev[k] for k in range(3)]
    out = cum[0] - cum[1] - cum[2]
    cost = (flows[0] - flows[2]) * VALUE
    print(start, len(Mm), new, tiers, r2(rev), flows[0], r2(flows[1]), r2(flows[2]), r2(out), r2(out * VALUE), r2(cost), r2(cost / rev * 100) if rev > 0 else None)
    prev = cum
A = dt.date(2024, 3, 31)
before = {c: tier(c, A)[0] for c in members(A)}
moves = {}
for c in M: moves[(before.get(c, "(not yet a member)"), tier(c, T)[0])] = moves.get((before.get(c, "(not yet a member)"), tier(c, T)[0]), 0) + 1
print("tiers from", A, "to", T, sorted(moves.items()))
