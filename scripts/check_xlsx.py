#!/usr/bin/env python3
"""Checks a workbook of `selfaudit report --format xlsx` with an independent reader (openpyxl).

    python3 scripts/check_xlsx.py REPORT.xlsx REPORT.json [ANSWERS.csv]

REPORT.json and ANSWERS.csv are the same report as `--format json` and `--format answers-csv`.
Every figure of the Items, Summary and Respondents sheets (and of Groups, with a team list) must
equal the JSON report's (scores are fractions with a percent format), the sheet list must be the
one the report calls for (Groups, Perception gaps and Actions only when it has them), who is
missing must appear only when the report names them, every Answers row must equal the CSV's; no cell may hold a formula,
and every text cell must be a string. Exits 1 with the first difference. tests/spreadsheets.rs
runs it when openpyxl is installed (pip install openpyxl).
"""
import csv
import json
import math
import re
import sys

import openpyxl


def fail(msg):
    print(f"check_xlsx: {msg}", file=sys.stderr)
    sys.exit(1)


def ooxml(s):
    """Control characters, which XML cannot hold, are stored as `_xHHHH_` (ECMA-376 §22.9.2.19);
    Excel and LibreOffice decode them, openpyxl does not, so decode them here."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)


def same(a, b, what):
    if isinstance(a, str):
        a = ooxml(a)
    if a is None or b is None:
        if a is not None or b is not None:
            fail(f"{what}: {a!r} != {b!r}")
    elif isinstance(b, bool) or isinstance(b, str):
        if a != b:
            fail(f"{what}: {a!r} != {b!r}")
    elif not math.isclose(float(a), float(b), rel_tol=0, abs_tol=1e-9):
        fail(f"{what}: {a!r} != {b!r}")


def percent(cell, what):
    if cell.value is None:
        return None
    if "%" not in cell.number_format:
        fail(f"{what}: number format {cell.number_format!r} is not a percent")
    return cell.value * 100


def main():
    xlsx, report_path = sys.argv[1], sys.argv[2]
    report = json.load(open(report_path, encoding="utf-8"))
    wb = openpyxl.load_workbook(xlsx)
    want = ["Summary", "Items", "Answers", "Notes", "Respondents"]
    if report.get("groups"):
        want.append("Groups")
    if report.get("perception_gaps"):
        want.append("Perception gaps")
    if report.get("actions") is not None or report.get("targets") is not None:
        want.append("Actions")
    # A team too big for one Answers sheet goes on in `Answers 2`…, at the end.
    if [n for n in wb.sheetnames if not n.startswith("Answers ")] != want:
        fail(f"sheets {wb.sheetnames}, expected {want}")

    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f" or (isinstance(c.value, str) and c.data_type != "s"):
                    fail(f"{ws.title}!{c.coordinate}: {c.value!r} is not a plain string cell")

    items = wb["Items"]
    rows = list(items.iter_rows())
    header = [c.value for c in rows[0]]
    col = {h: i for i, h in enumerate(header)}
    if items.freeze_panes != "A2" or not items.auto_filter.ref:
        fail("Items: header not frozen or no filter")
    n = 0
    for c in report["checklists"]:
        for s in c["sections"]:
            for it in s["items"]:
                n += 1
                row = rows[n]
                where = f"Items row {n + 1} ({it['id']})"
                same(row[col["checklist"]].value, c["id"], where)
                same(row[col["section"]].value, s["id"], where)
                same(row[col["item"]].value, it["id"], where)
                same(row[col["text"]].value, it["text"], where)
                same(row[col["weight"]].value, it["weight"], where + " weight")
                same(row[col["critical"]].value, it["critical"], where + " critical")
                same(row[col["split"]].value, it["split"], where + " split")
                for f in ("n", "na", "missing"):
                    same(row[col[f]].value, it[f], f"{where} {f}")
                for f in ("score", "min", "max", "stddev"):
                    same(percent(row[col[f]], where), it[f], f"{where} {f}")
                for f in ("se", "ci_lo", "ci_hi"):
                    v = it.get("ci") and it["ci"][0 if f == "ci_lo" else 1] if f != "se" else it.get("se")
                    same(percent(row[col[f]], where), v, f"{where} {f}")
                same(row[col["rwg"]].value, it.get("rwg"), f"{where} rwg")
                for key, count in it["choices"].items():
                    if key != "n/a":
                        same(row[col["count:" + key]].value, count, f"{where} count:{key}")
    if n != len(rows) - 1:
        fail(f"Items: {len(rows) - 1} rows for {n} items")

    summary = {r[0].value: r for r in wb["Summary"].iter_rows() if r[0].value}
    same(summary["Period"][1].value, report["period"], "Summary period")
    same(percent(summary["Overall score"][1], "overall"), report["score"], "Summary overall")
    same(summary["Respondents"][1].value, len(report["respondents"]), "Summary respondents")

    if report.get("ci"):
        same(percent(summary["Overall ci_lo"][1], "ci_lo"), report["ci"][0], "Summary ci_lo")
        same(percent(summary["Overall ci_hi"][1], "ci_hi"), report["ci"][1], "Summary ci_hi")
    rate = report.get("response_rate")
    if rate:
        same(summary["Expected"][1].value, rate["expected"], "Summary expected")
        same(summary["Answered"][1].value, rate["answered"], "Summary answered")
        if "missing" in rate and rate["missing"]:
            same(summary["Missing"][1].value, ", ".join(rate["missing"]), "Summary missing")
        elif "Missing" in summary:
            fail("Summary names who is missing, the report does not")

    if report.get("groups"):
        rows = list(wb["Groups"].iter_rows())
        col = {c.value: i for i, c in enumerate(rows[0])}
        if len(rows) - 1 != len(report["groups"]):
            fail("Groups: wrong number of rows")
        for row, g in zip(rows[1:], report["groups"]):
            where = f"Groups {g['role']}"
            same(row[col["role"]].value, g["role"], where)
            same(row[col["n"]].value, g["n"], where + " n")
            same(row[col["withheld"]].value, g["withheld"], where + " withheld")
            same(percent(row[col["score"]], where), g["score"], where + " score")
            for c in g["checklists"]:
                same(percent(row[col["score:" + c["id"]]], where), c["score"], where)
                for p in c["sections"] + c["items"]:
                    name = f"score:{c['id']}/{p['id']}"
                    same(percent(row[col[name]], where), p["score"], f"{where} {name}")
            if g["withheld"] and any(c.value is not None for c in row[4:]):
                fail(f"{where}: a withheld group shows a figure")

    if report.get("actions"):
        rows = list(wb["Actions"].iter_rows(values_only=True))
        for row, a in zip(rows[2:], report["actions"]):
            for j, f in ((0, "id"), (3, "what"), (4, "owner"), (7, "status")):
                same(ooxml(row[j]) if row[j] is not None else None, a.get(f), f"Actions {a['id']} {f}")

    people = list(wb["Respondents"].iter_rows())[1:]
    if len(people) != len(report["per_respondent"]):
        fail("Respondents: wrong number of rows")
    for row, p in zip(people, report["per_respondent"]):
        same(row[0].value, p["respondent"], "Respondents name")
        same(percent(row[1], "respondent"), p["score"], "Respondents score")

    if len(sys.argv) > 3:
        with open(sys.argv[3], newline="", encoding="utf-8") as f:
            expected = list(csv.reader(f))
        got = list(wb["Answers"].iter_rows(values_only=True))
        if len(got) != len(expected):
            fail(f"Answers: {len(got)} rows, the CSV has {len(expected)}")
        for i, (g, e) in enumerate(zip(got[1:], expected[1:]), start=2):
            for j, (a, b) in enumerate(zip(g, e)):
                if j == 8 and a is not None:
                    a = a * 100
                if isinstance(a, (int, float)):
                    same(a, float(b), f"Answers row {i} col {j + 1}")
                else:
                    # The CSV quotes formula-like text; the workbook stores it as a string.
                    if b.startswith("'") and b.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        b = b[1:]
                    same(a if a is not None else "", b, f"Answers row {i} col {j + 1}")
    print(f"check_xlsx: {xlsx}: {n} items, {len(people)} respondents: every figure matches")


if __name__ == "__main__":
    main()
