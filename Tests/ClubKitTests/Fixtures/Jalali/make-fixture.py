#!/usr/bin/env python3
"""Writes jalali-1178-1501.txt, the reference for clubsh's Jalali calendar tests.

For every Jalali year 1178-1501 it lists the Gregorian date of 1 Farvardin and whether the
year is a leap year (Esfand has 30 days). Before writing, every day of every month of those
years is converted with jdatetime and compared with persiantools, and the years' first days and
leap years with a third conversion:

- persiantools, whose leap years follow the astronomical calendar (vernal equinox at 52.5 E)
  and the ICU4X corrections;
- K. M. Borkowski's break-year algorithm ("The Persian calendar for 3000 years", Earth, Moon
  and Planets 74, 1996), as jalaali-js implements it (`jalCal`), transcribed below.

The three agree on every year from 1178 to 1501 and disagree on 1177 (Borkowski) and on 1502
(persiantools), so clubsh reads Jalali years 1178-1501 only.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install jdatetime persiantools
    /tmp/venv/bin/python make-fixture.py > jalali-1178-1501.txt

`swift test` reads the committed text file and needs no Python.
"""
import datetime
import sys

import jdatetime
import persiantools
from persiantools.jdatetime import JalaliDate

FIRST, LAST = 1178, 1501

BREAKS = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192,
          2262, 2324, 2394, 2456, 3178]


def div(a, b):
    return int(a / b)


def mod(a, b):
    return a - div(a, b) * b


def borkowski(jy):
    """(is leap, Gregorian date of 1 Farvardin) by jalaali-js's jalCal."""
    gy, leap_j, jp, jump = jy + 621, -14, BREAKS[0], 0
    for jm in BREAKS[1:]:
        jump = jm - jp
        if jy < jm:
            break
        leap_j += div(jump, 33) * 8 + div(mod(jump, 33), 4)
        jp = jm
    n = jy - jp
    leap_j += div(n, 33) * 8 + div(mod(n, 33) + 3, 4)
    if mod(jump, 33) == 4 and jump - n == 4:
        leap_j += 1
    leap_g = div(gy, 4) - div((div(gy, 100) + 1) * 3, 4) - 150
    march = 20 + leap_j - leap_g
    if jump - n < 6:
        n = n - jump + div(jump + 4, 33) * 33
    leap = mod(mod(n + 1, 33) - 1, 4)
    return leap == 0, datetime.date(gy, 3, 1) + datetime.timedelta(days=march - 1)


def month_length(month, leap):
    return 31 if month <= 6 else (30 if month <= 11 or leap else 29)


def main():
    lines = []
    for year in range(FIRST, LAST + 1):
        start = jdatetime.date(year, 1, 1).togregorian()
        leap = jdatetime.date(year, 1, 1).isleap()
        assert JalaliDate.is_leap(year) == leap, year
        assert borkowski(year) == (leap, start), (year, borkowski(year), leap, start)
        offset = 0
        for month in range(1, 13):
            for day in range(1, month_length(month, leap) + 1):
                expected = start + datetime.timedelta(days=offset)
                assert jdatetime.date(year, month, day).togregorian() == expected, (year, month, day)
                assert JalaliDate(year, month, day).to_gregorian() == expected, (year, month, day)
                back = jdatetime.date.fromgregorian(date=expected)
                assert (back.year, back.month, back.day) == (year, month, day), (year, month, day)
                offset += 1
        # The year has no day past its last: Esfand 30 only in a leap year.
        for bad in ([(12, 30)] if not leap else []) + [(12, 31), (13, 1), (7, 31)]:
            try:
                jdatetime.date(year, *bad)
            except ValueError:
                pass
            else:
                raise AssertionError((year, bad))
        lines.append(f"{year} {start.isoformat()} {1 if leap else 0}")
    out = sys.stdout
    out.write(f"# Jalali years {FIRST}-{LAST}: year, Gregorian date of 1 Farvardin, 1 if leap (Esfand has 30 days).\n")
    out.write(f"# From jdatetime {jdatetime.__VERSION__}; every day checked against persiantools {persiantools.__version__}, and the\n")
    out.write("# years against Borkowski's break-year algorithm, by make-fixture.py beside this file.\n")
    out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
