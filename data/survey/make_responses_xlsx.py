"""Writes sipas-demo.responses.xlsx: the responses of sipas-demo.responses.csv as an office
would keep them in Excel — an instructions sheet first, then the sheet "Phiếu" with a title
block above the table, which starts in column B; ids, weights and answers stored as numbers,
priority lists ("1;3") and cluster codes as text. Written with openpyxl, so that the reader
(calamine) is tested on a workbook that parindex's own writer did not make. Run once; the
output is committed:

    python data/survey/make_responses_xlsx.py
"""

import csv
import datetime
import os

import openpyxl

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "sipas-demo.responses.csv"), newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
header = rows[0]

wb = openpyxl.Workbook()
wb.active.title = "Hướng dẫn"
wb.active["A1"] = "Nhập mỗi phiếu vào một dòng của sheet Phiếu; để trống câu không trả lời."
ws = wb.create_sheet("Phiếu")
ws["B1"] = "Phiếu khảo sát sự hài lòng (dữ liệu minh hoạ)"
ws.append([])
ws.append([None, *header])
for row in rows[1:]:
    cells = [None]
    for name, value in zip(header, row):
        if value == "":
            cells.append(None)
        elif name == "weight":
            cells.append(float(value))
        elif value.isdigit() and name not in ("cluster",):
            cells.append(int(value))
        else:
            cells.append(value)
    ws.append(cells)
# Fixed document times, so that running the script again writes the same content.
wb.properties.created = wb.properties.modified = datetime.datetime(2024, 1, 1)
wb.save(os.path.join(here, "sipas-demo.responses.xlsx"))
