"""Excel in and out, checked with openpyxl — a different library from the ones parindex uses
(calamine to read, rust_xlsxwriter to write), so neither side is only tested against itself.

The tests run the `parindex` command: $PARINDEX_BIN, else the debug build under
$CARGO_TARGET_DIR or target/, built with cargo when missing.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[3]
METHODOLOGY = "data/methodologies/par-demo.methodology.csv"
LONG = "data/examples/par-demo-2023.long.csv"
COLUMNS = ["unit", "name", "group", "criterion", "criterion_name", "max", "self_assessed", "appraised", "value", "note"]


@pytest.fixture(scope="module")
def parindex() -> str:
    given = os.environ.get("PARINDEX_BIN")
    if given:
        return given
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    binary = target / "debug" / "parindex"
    if not binary.exists():
        cargo = shutil.which("cargo")
        if cargo is None:
            pytest.skip("no parindex binary and no cargo to build it")
        subprocess.run([cargo, "build", "--quiet", "-p", "parindex-cli"], cwd=ROOT, check=True)
    return str(binary)


def run(parindex: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([parindex, *args], cwd=ROOT, capture_output=True, text=True)


def ok(parindex: str, *args: str) -> str:
    done = run(parindex, *args)
    assert done.stderr == "" and done.returncode == 0, done.stderr
    return done.stdout


def long_rows() -> list[dict[str, str]]:
    with open(ROOT / LONG, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def header_row(ws) -> int:
    """The row of the machine header (the template has a title block above it)."""
    for row in ws.iter_rows(min_row=1, max_row=10):
        if [c.value for c in row[: len(COLUMNS)]] == COLUMNS:
            return row[0].row
    raise AssertionError("no header row")


def as_cell(text: str, as_number: bool):
    """A value as a person would type it: a number when it is one, else the text."""
    if as_number:
        try:
            return float(text)
        except ValueError:
            pass
    return text


def fill(path: Path, rows: list[dict[str, str]]) -> None:
    """Fills a blank template the way a unit would, with openpyxl: the unit's name and group in
    its merged block, then every criterion's cells; self-assessed points typed as text,
    appraised points and measured values as numbers."""
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    top = header_row(ws)
    by_key = {(r["unit"], r["criterion"]): r for r in rows}
    unit = None
    for row in ws.iter_rows(min_row=top + 1):
        cells = dict(zip(COLUMNS, row))
        if cells["unit"].value:  # the first row of a block (the others are merged into it)
            unit = cells["unit"].value
            first = next(r for r in rows if r["unit"] == unit)
            cells["name"].value = first["name"]
            cells["group"].value = first["group"]
        r = by_key.get((unit, cells["criterion"].value))
        if r is None:
            continue
        for column, as_number in [("self_assessed", False), ("appraised", True), ("value", True)]:
            if r[column]:
                cells[column].value = as_cell(r[column], as_number)
        if r["note"]:
            cells["note"].value = r["note"]
    wb.save(path)


def test_a_template_filled_with_openpyxl_scores_like_the_csv(parindex: str, tmp_path: Path) -> None:
    rows = long_rows()
    units = list(dict.fromkeys(r["unit"] for r in rows))
    template = tmp_path / "template.xlsx"
    args = ["template", "--methodology", METHODOLOGY, "--out", str(template)]
    for u in units:
        args += ["--unit", u]
    ok(parindex, *args)

    # The template's own cells: a row per leaf with its maximum, validation on the points.
    ws = openpyxl.load_workbook(template).active
    top = header_row(ws)
    assert ws.cell(top + 1, 1).value == units[0]
    assert ws.cell(top + 1, 4).value == "1.1.1"
    assert ws.cell(top + 2, 4).value == "1.1.2" and ws.cell(top + 2, 6).value == 2.5
    # One rule over the points columns of every row, relative to its top-left cell: each cell is
    # checked against the maximum in F of its own row.
    formulas = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    last = max(c.row for c in ws["D"] if c.value is not None)
    assert formulas[f"G{top + 1}:H{last}"] == f'OR(UPPER(G{top + 1})="NA",AND(ISNUMBER(G{top + 1}),G{top + 1}>=0,G{top + 1}<=$F{top + 1}))'
    # The other rules are the rule-based criteria's, one cell of column I each.
    assert all(k.startswith("I") and ":" not in k for k in formulas if k != f"G{top + 1}:H{last}")
    # A rule-based criterion takes the measured value; its rule shows when the cell is selected.
    on_time = next(c.row for c in ws["D"] if c.value == "3.4.1")
    prompt = next(dv for dv in ws.data_validations.dataValidation if str(dv.sqref) == f"I{on_time}")
    assert (prompt.promptTitle, prompt.prompt) == ("How points are given", ">=100:2 | >=95:1.5 | >=80:1 | else:0")
    # The unit's id is one cell merged over its 46 criteria, then bonus and penalty.
    assert any(str(m) == f"A{top + 1}:A{top + 48}" for m in ws.merged_cells.ranges)
    assert [ws.cell(top + 47, 4).value, ws.cell(top + 48, 4).value] == ["bonus", "penalty"]

    fill(template, rows)
    from_csv = ok(parindex, "score", "--methodology", METHODOLOGY, "--scores", LONG, "--format", "csv")
    from_xlsx = ok(parindex, "score", "--methodology", METHODOLOGY, "--scores", str(template), "--format", "csv")
    assert from_xlsx == from_csv
    assert from_csv.splitlines()[1].startswith("so-noi-vu,Sở Nội vụ,department,95.766497461928934")


def test_values_above_the_maximum_are_located_even_when_validation_is_bypassed(
    parindex: str, tmp_path: Path
) -> None:
    template = tmp_path / "t.xlsx"
    ok(parindex, "template", "--methodology", METHODOLOGY, "--unit", "so-y-te", "--out", str(template))
    rows = [dict(r, unit="so-y-te") for r in long_rows() if r["unit"] == "so-noi-vu"]
    for r in rows:
        if r["criterion"] == "1.1.2":
            r["appraised"] = "3"  # its maximum is 2.5; openpyxl does not apply Excel's validation
    fill(template, rows)
    done = run(parindex, "score", "--methodology", METHODOLOGY, "--scores", str(template))
    assert done.returncode == 2
    assert done.stderr == f"{template}!Scores!H6: criterion 1.1.2: 3 exceeds its maximum 2.5\n"


def test_the_result_workbook_has_numbers_formats_and_frozen_header(parindex: str, tmp_path: Path) -> None:
    out = tmp_path / "ket-qua.xlsx"
    ok(parindex, "report", "--example", "par-demo", "--previous-example", "par-demo-2022", "--lang", "vi",
       "--out", str(out))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Kết quả", "Nhóm - department", "Nhóm - district", "Tổng hợp", "So sánh với năm trước"]
    ws = wb["Kết quả"]
    assert ws["A1"].value.startswith("Kết quả Chỉ số — ")
    header = [c.value for c in ws[4]]
    assert header[:5] == ["Xếp hạng", "Đơn vị", "Tên đơn vị", "Nhóm", "1. Công tác chỉ đạo, điều hành cải cách hành chính"]
    assert header[12:] == ["Tổng điểm", "Chỉ số (%)", "Xếp loại", "Hạng năm trước", "Thay đổi hạng", "Thay đổi điểm"]
    assert ws.freeze_panes == "C5"
    # Row 6: Thành phố Sơn La, 2nd, 94.32 %, band A, 7th in 2022, up 5, +7.97 points.
    row = {h: c for h, c in zip(header, ws[6])}
    assert [row["Xếp hạng"].value, row["Đơn vị"].value] == [2, "tp-son-la"]
    assert row["Chỉ số (%)"].value == 94.32 and row["Chỉ số (%)"].number_format == "0.00"
    assert row["Tổng điểm"].value == 94.32 and row["Tổng điểm"].data_type == "n"
    assert row["Xếp hạng"].number_format == "0"
    assert row["Xếp loại"].value == "A"
    assert row["Xếp loại"].fill.fgColor.rgb == "FFC8E6C9"  # band A's green
    assert [row["Hạng năm trước"].value, row["Thay đổi hạng"].value] == [7, "tăng 5"]
    assert row["Thay đổi điểm"].value == 7.97
    assert row["Thay đổi điểm"].number_format == "+0.00;-0.00;0.00"
    last = {h: c for h, c in zip(header, ws[16])}
    assert [last["Đơn vị"].value, last["Xếp loại"].value, last["Xếp loại"].fill.fgColor.rgb] == ["van-ho", "C", "FFFFF9C4"]
    # Within its group, Thành phố Sơn La is first.
    group = wb["Nhóm - district"]
    assert [group["A5"].value, group["B5"].value] == [1, "tp-son-la"]
    summary = wb["Tổng hợp"]
    assert [c.value for c in summary[6]][:3] == ["Tất cả", 12, 87.3]


def test_the_python_binding_reads_and_writes_workbooks(parindex: str, tmp_path: Path) -> None:
    import parindex as px

    now = px.score(*px.examples.load("par-demo"))
    before = px.score(*px.examples.load("par-demo-2022"))
    # Results.to_xlsx writes the annex; openpyxl reads the same values back.
    path = tmp_path / "results.xlsx"
    data = now.to_xlsx(path, previous=before, lang="en")
    assert path.read_bytes() == data
    ws = openpyxl.load_workbook(path)["Results"]
    assert [ws["A6"].value, ws["B6"].value, ws["N6"].value, ws["P6"].value, ws["Q6"].value] == [
        2, "tp-son-la", 94.32, 7, "up 5"
    ]
    html = now.to_html(before, lang="vi", top=2)
    assert '<tr data-unit="tp-son-la">' in html and "tăng 5" in html
    with pytest.raises(ValueError, match='lang must be "en" or "vi"'):
        now.to_html(lang="fr")

    # parindex.score reads a workbook by its path: a template filled by openpyxl.
    template = tmp_path / "t.xlsx"
    units = list(dict.fromkeys(r["unit"] for r in long_rows()))
    ok(parindex, "template", "--methodology", METHODOLOGY, "--out", str(template), *[a for u in units for a in ("--unit", u)])
    fill(template, long_rows())
    again = px.score(now.methodology, str(template))
    assert again.to_csv() == now.to_csv()


def test_survey_responses_typed_into_a_workbook_give_the_csv_results(parindex: str, tmp_path: Path) -> None:
    """The SIPAS demo responses written by openpyxl under a title block, on the second sheet,
    numbers as numbers (weights as floats, answers as ints) and priority lists as text: the
    Python API and the CLI read them to the results of the CSV file, byte for byte."""
    import parindex as px

    questionnaire = ROOT / "data/survey/sipas-demo.questionnaire.json"
    responses = ROOT / "data/survey/sipas-demo.responses.csv"
    with open(responses, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    wb = openpyxl.Workbook()
    wb.active.title = "Hướng dẫn"
    wb.active["A1"] = "Nhập phiếu vào sheet Phiếu"
    ws = wb.create_sheet("Phiếu")
    ws["B1"] = "Phiếu khảo sát SIPAS (dữ liệu minh hoạ)"
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=2):
            if value == "":
                continue
            cell = ws.cell(row=r, column=c)
            if r > 3 and rows[0][c - 2] == "weight":
                cell.value = float(value)
            elif r > 3 and value.isdigit() and rows[0][c - 2] != "cluster":
                cell.value = int(value)
            else:
                cell.value = value
    book = tmp_path / "phieu.xlsx"
    wb.save(book)

    expected = px.survey(questionnaire, responses).to_json()
    # The first sheet holding a respondent column, or the one named.
    assert px.survey(questionnaire, str(book)).to_json() == expected
    assert px.survey(questionnaire, f"{book}!Phiếu").to_json() == expected
    cli = ok(parindex, "survey", "--questionnaire", str(questionnaire), "--responses", f"{book}!2", "--format", "json")
    assert cli == ok(parindex, "survey", "--questionnaire", str(questionnaire), "--responses", str(responses), "--format", "json")

    # A wrong answer is located at its cell of the sheet.
    ws.cell(row=5, column=8).value = 9  # respondent 2, item A1 (column G of the CSV, shifted by one)
    wb.save(book)
    with pytest.raises(px.InputError) as err:
        px.survey(questionnaire, str(book))
    [e] = err.value.errors()
    assert (e["code"], e["location"], e["sheet"], e["row"], e["column"], e["item"]) == (
        "out_of_scale", f"{book}!Phiếu!H5", "Phiếu", 5, 8, "A1"
    )
