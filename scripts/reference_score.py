#!/usr/bin/env python3
"""An independent, deliberately plain scorer of SPEC §5, to cross-check selfaudit's figures
and to compare speed: reference_score.py CHECKLISTS_DIR RESPONSES_DIR [REPORT.json]

Prints the overall score; with REPORT.json (from `selfaudit report --format json`) it checks
every item, section, checklist and overall score against it to 1e-6 and exits 1 on a mismatch.
"""
import json, sys, tomllib
from pathlib import Path

BUILTIN = {
    "yes-no": [("no", 0), ("yes", 1)],
    "yes-partly-no": [("no", 0), ("partly", 1), ("yes", 2)],
    "frequency": [(k, i) for i, k in enumerate(["never", "rarely", "sometimes", "often", "always"])],
    "agreement": [(str(i), i) for i in range(1, 6)],
    "0-10": [(str(i), i) for i in range(11)],
}

def wmean(parts):
    parts = [(w, s) for w, s in parts if s is not None]
    den = sum(w for w, _ in parts)
    return sum(w * s for w, s in parts) / den if den > 0 else None

def main():
    cdir, rdir = Path(sys.argv[1]), Path(sys.argv[2])
    checklists = {}
    for f in sorted(cdir.glob("*.toml")):
        c = tomllib.loads(f.read_text())
        scales = {n: [(ch["key"], ch["value"]) for ch in s["choices"]] for n, s in c.get("scales", {}).items()}
        default = c.get("scale", "yes-no")
        items = {}
        for s in c["sections"]:
            for it in s["items"]:
                choices = dict(scales.get(it.get("scale", default)) or BUILTIN[it.get("scale", default)])
                lo, hi = min(choices.values()), max(choices.values())
                items[it["id"]] = {k: (v - lo) / (hi - lo) for k, v in choices.items()}
        checklists[c["id"]] = (c, items, c.get("renamed", {}))
    answers = {}  # (checklist, item) -> list of scores
    for f in sorted(rdir.glob("*.toml")):
        r = tomllib.loads(f.read_text())
        for cid, table in r.get("answers", {}).items():
            _, items, renamed = checklists[cid]
            for iid, a in table.items():
                key = a["choice"] if isinstance(a, dict) else str(a)
                if key == "n/a":
                    continue
                iid = iid if iid in items else renamed[iid]
                answers.setdefault((cid, iid), []).append(items[iid][key])
    report = {}
    for cid, (c, items, _) in checklists.items():
        secs = []
        for s in c["sections"]:
            its = []
            for it in s["items"]:
                xs = answers.get((cid, it["id"]))
                score = 100 * sum(xs) / len(xs) if xs else None
                report[(cid, s["id"], it["id"])] = score
                its.append((it.get("weight", 1), score))
            sscore = wmean(its)
            report[(cid, s["id"])] = sscore
            secs.append((s.get("weight", 1), sscore))
        report[(cid,)] = wmean(secs)
    answered = {cid for cid, _ in answers}
    overall = wmean((checklists[c][0].get("weight", 1), report[(c,)]) for c in checklists if c in answered)
    print(f"overall {overall}")
    if len(sys.argv) > 3:
        got = json.loads(Path(sys.argv[3]).read_text())
        bad = 0
        def check(key, value):
            nonlocal bad
            want = report.get(key)
            if (want is None) != (value is None) or (want is not None and abs(want - value) > 1e-6):
                bad += 1
                print(f"mismatch {key}: reference {want}, report {value}")
        check_overall = got["score"]
        if (overall is None) != (check_overall is None) or (overall is not None and abs(overall - check_overall) > 1e-6):
            bad += 1
            print(f"mismatch overall: reference {overall}, report {check_overall}")
        for c in got["checklists"]:
            check((c["id"],), c["score"])
            for s in c["sections"]:
                check((c["id"], s["id"]), s["score"])
                for it in s["items"]:
                    check((c["id"], s["id"], it["id"]), it["score"])
        print("all figures agree" if bad == 0 else f"{bad} mismatches")
        sys.exit(1 if bad else 0)

main()
