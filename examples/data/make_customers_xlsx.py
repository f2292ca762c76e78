"""Writes customers.xlsx from customers.csv, as a spreadsheet user would keep it: a title
row and a blank row above the header, digit-only phones and ids typed as numbers, birth
dates and update times as spreadsheet dates, and a second worksheet of notes.

    pip install openpyxl==3.1.5
    python examples/data/make_customers_xlsx.py
"""

import csv
import datetime
import pathlib

import openpyxl

here = pathlib.Path(__file__).parent
rows = list(csv.reader(open(here / "customers.csv", encoding="utf-8")))
header, body = rows[0], rows[1:]

book = openpyxl.Workbook()
sheet = book.active
sheet.title = "Customers"
sheet.append(["Customer export"])
sheet.append([])
sheet.append(header)


def as_date(value, form):
    """The value as a spreadsheet date, or as text where it is no date (a typo kept) or
    one before 1900, which spreadsheets keep as text."""
    try:
        moment = datetime.datetime.strptime(value, form)
    except ValueError:
        return value
    return moment if moment.year >= 1900 else value


for row in body:
    cells = []
    for name, value in zip(header, row):
        if name == "phone" and value.isascii() and value.isdigit():
            cells.append(int(value))
        elif name == "birth_date" and len(value) == 10 and value[4] == "-":
            cells.append(as_date(value, "%Y-%m-%d"))
        elif name == "updated_at" and len(value) == 19 and value[10] == " ":
            cells.append(as_date(value, "%Y-%m-%d %H:%M:%S"))
        else:
            cells.append(value if value != "" else None)
    sheet.append(cells)
notes = book.create_sheet("Notes")
notes.append(["Exported for the sameas examples."])
# Fixed document times, so the file is the same on every run.
moment = datetime.datetime(2025, 1, 1)
book.properties.created = moment
book.properties.modified = moment
book.save(here / "customers.xlsx")
