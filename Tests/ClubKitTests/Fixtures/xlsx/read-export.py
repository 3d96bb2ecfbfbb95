#!/usr/bin/env python3
"""Reads a workbook clubsh exported with openpyxl, an independent reader, and prints what it
sees: the zip's CRC check, each part's compression, and every cell with its type and number
format. XLSXWriterTests records what this printed for its round-trip table.

    /tmp/xlsx-venv/bin/python Tests/ClubKitTests/Fixtures/xlsx/read-export.py out.xlsx
"""
import sys
import zipfile

import openpyxl

path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    print("bad CRC:", z.testzip(), "methods:", sorted({i.compress_type for i in z.infolist()}))
wb = openpyxl.load_workbook(path)
for ws in wb:
    print("sheet", ws.title)
    for row in ws.iter_rows():
        print([(c.coordinate, c.value, c.data_type, c.number_format) for c in row if c.value is not None])
