#!/usr/bin/env python3
"""Writes the .xlsx fixtures of XLSXReaderTests with two real spreadsheet writers, and
expected.json with the values each cell was given (the tests compare against these, never
against clubsh's own output).

    python3 -m venv /tmp/xlsx-venv && /tmp/xlsx-venv/bin/pip install openpyxl xlsxwriter
    /tmp/xlsx-venv/bin/python Tests/ClubKitTests/Fixtures/xlsx/make-fixtures.py

Made with openpyxl 3.1.5 (writes every string inline, `t="inlineStr"`) and XlsxWriter 3.3.1
(writes shared strings, and the 1904 date system when asked).
"""
import datetime as dt
import json
import os
import zipfile

import openpyxl
import xlsxwriter
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

HERE = os.path.dirname(os.path.abspath(__file__))
expected = {}


def path(name):
    return os.path.join(HERE, name)


def iso(v):
    if v is None:
        return None
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


# orders.xlsx (XlsxWriter): shared strings, numbers, booleans, dates in a custom and a built-in
# format, date-times, empty cells and a blank row; a second and a third sheet.
orders = [
    # id, customer, amount, vip, ordered, at, note
    (1, "Sara", 120.5, True, dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 9, 30), "first"),
    (2, "Reza", 80, False, dt.date(2024, 2, 29), dt.datetime(2024, 2, 29, 18, 0, 15), None),
    (3, "Sara", 99.99, None, dt.date(1900, 1, 2), None, "<b> & \"q\""),
    None,  # a blank row, skipped as a blank line is in CSV
    (4, "Ali", -3, True, dt.date(1900, 3, 1), dt.datetime(1999, 12, 31, 23, 59, 59), "line one\nline two"),
    (5, None, 1e6, False, dt.date(1900, 2, 28), dt.datetime(2024, 3, 20, 0, 0), "```sql"),
]
header = ["id", "customer", "amount", "vip", "ordered", "at", "note"]
wb = xlsxwriter.Workbook(path("orders.xlsx"))
ws = wb.add_worksheet("Orders")
day = wb.add_format({"num_format": "yyyy-mm-dd"})
stamp = wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
for c, h in enumerate(header):
    ws.write_string(0, c, h)
r = 1
rows_written = []
for row in orders:
    if row is None:
        r += 1
        continue
    for c, v in enumerate(row):
        if v is None:
            continue
        if isinstance(v, bool):
            ws.write_boolean(r, c, v)
        elif isinstance(v, dt.datetime):
            ws.write_datetime(r, c, v, stamp)
        elif isinstance(v, dt.date):
            ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), day)
        elif isinstance(v, str):
            ws.write_string(r, c, v)
        else:
            ws.write_number(r, c, v)
    rows_written.append([iso(v) for v in row])
    r += 1
cs = wb.add_worksheet("Customers")
builtin_date = wb.add_format({"num_format": 14})  # m/d/yyyy, a built-in format: numFmtId 14
customers = [(10, "Sara", dt.date(2023, 5, 1)), (11, "Reza", dt.date(2023, 6, 15)), (12, "Ali", dt.date(2023, 7, 30))]
for c, h in enumerate(["id", "name", "joined"]):
    cs.write_string(0, c, h)
for i, (cid, name, joined) in enumerate(customers, start=1):
    cs.write_number(i, 0, cid)
    cs.write_string(i, 1, name)
    cs.write_datetime(i, 2, dt.datetime(joined.year, joined.month, joined.day), builtin_date)
misc = wb.add_worksheet("Notes & <Misc>")
misc.write_string(0, 0, "k")
misc.write_string(1, 0, "v")
wb.close()
expected["orders.xlsx"] = {
    "sheets": ["Orders", "Customers", "Notes & <Misc>"],
    "Orders": {"columns": header, "rows": rows_written},
    "Customers": {"columns": ["id", "name", "joined"], "rows": [[i, n, iso(j)] for i, n, j in customers]},
}

# inline.xlsx (openpyxl): inline strings, rich text, numbers, booleans, dates (1900 system),
# a sparse row.
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Sheet1"
ws.append(["name", "qty", "price", "ok", "day", "comment"])
inline_rows = [
    ["Café", 3, 2.5, True, dt.date(2024, 1, 31), CellRichText(["bold ", TextBlock(InlineFont(b=True), "part")])],
    ["تهران", 0, 1.25, False, dt.date(2023, 12, 31), "plain"],
    ["x < y & z", None, None, None, None, None],
    [None, -7, 100, True, dt.date(2000, 2, 29), "tail"],
]
for row in inline_rows:
    ws.append(row)
for cell in ws["E"][1:]:
    cell.number_format = "yyyy-mm-dd"
wb.save(path("inline.xlsx"))
expected["inline.xlsx"] = {
    "columns": ["name", "qty", "price", "ok", "day", "comment"],
    "rows": [[iso(v) if not isinstance(v, CellRichText) else str(v) for v in row] for row in inline_rows],
}

# epoch1904.xlsx (XlsxWriter, date_1904): the same days count from 1904-01-01.
days1904 = [dt.date(1904, 1, 2), dt.date(2024, 1, 5), dt.date(1999, 12, 31)]
wb = xlsxwriter.Workbook(path("epoch1904.xlsx"), {"date_1904": True})
ws = wb.add_worksheet()
f = wb.add_format({"num_format": "d mmm yyyy"})
ws.write_string(0, 0, "day")
ws.write_string(0, 1, "n")
for i, d in enumerate(days1904, start=1):
    ws.write_datetime(i, 0, dt.datetime(d.year, d.month, d.day), f)
    ws.write_number(i, 1, i)
wb.close()
expected["epoch1904.xlsx"] = {"columns": ["day", "n"], "rows": [[d.isoformat(), i] for i, d in enumerate(days1904, start=1)]}

# jalali.xlsx (openpyxl): Jalali dates and amounts typed as text, in Persian digits.
jalali_rows = [
    ("۱۴۰۲/۰۷/۱۵", "۱۲۰٬۰۰۰", "1402/07/15"),
    ("۱۴۰۲/۱۲/۲۹", "۱۲٫۵", "1402/12/29"),
    ("۱۴۰۳/۰۱/۰۱", "۳", "1403/01/01"),
]
# The Gregorian days of those Jalali dates (1402/07/15 = 2023-10-07, 1402/12/29 = 2024-03-19,
# 1403/01/01 = 2024-03-20), from the Iranian calendar as published.
jalali_gregorian = ["2023-10-07", "2024-03-19", "2024-03-20"]
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "فروش"
ws.append(["date", "amount", "latin"])
for row in jalali_rows:
    ws.append(list(row))
wb.save(path("jalali.xlsx"))
expected["jalali.xlsx"] = {"columns": ["date", "amount", "latin"], "sheet": "فروش", "dates": jalali_gregorian,
                           "amounts": [120000, 12.5, 3]}

# bad-cell.xlsx (XlsxWriter): amount holds numbers, except C42, which holds "abc".
wb = xlsxwriter.Workbook(path("bad-cell.xlsx"))
ws = wb.add_worksheet("Sheet1")
for c, h in enumerate(["id", "name", "amount"]):
    ws.write_string(0, c, h)
for r in range(1, 60):
    ws.write_number(r, 0, r)
    ws.write_string(r, 1, f"n{r}")
    if r == 41:
        ws.write_string(r, 2, "abc")
    else:
        ws.write_number(r, 2, r * 1.5)
wb.close()
expected["bad-cell.xlsx"] = {"bad": "Sheet1!C42", "text": "abc", "rows": 59}

# truncated.xlsx: the first half of orders.xlsx; corrupt.xlsx: orders.xlsx with the sheet's
# compressed bytes scrambled in the middle (its directory intact).
with open(path("orders.xlsx"), "rb") as fh:
    whole = fh.read()
with open(path("truncated.xlsx"), "wb") as fh:
    fh.write(whole[: len(whole) // 2])
with zipfile.ZipFile(path("orders.xlsx")) as z:
    info = z.getinfo("xl/worksheets/sheet1.xml")
h = info.header_offset
start = h + 30 + int.from_bytes(whole[h + 26:h + 28], "little") + int.from_bytes(whole[h + 28:h + 30], "little")
scrambled = bytearray(whole)
for i in range(start + 20, start + 60):
    scrambled[i] ^= 0x5A
with open(path("corrupt.xlsx"), "wb") as fh:
    fh.write(bytes(scrambled))

with open(path("expected.json"), "w", encoding="utf-8") as fh:
    json.dump(expected, fh, ensure_ascii=False, indent=1, sort_keys=True)
    fh.write("\n")
