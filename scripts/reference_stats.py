#!/usr/bin/env python3
"""An independent, deliberately plain check of SPEC §14's figures (needs numpy, scipy and
krippendorff: `pip install krippendorff scipy numpy`).

  reference_stats.py report CHECKLISTS_DIR RESPONSES_DIR REPORT.json
      checks `se`, `ci`, `moe` of every item, section, checklist and the overall score, `rwg`
      of every item and `alpha` of every checklist of a `selfaudit report --format json`.
  reference_stats.py diff CHECKLISTS_DIR BASE_DIR NEW_DIR DIFF.json
      checks `beyond_noise` of every item, section and checklist and the overall delta of a
      `selfaudit diff --format json` of the reports of the two folders, and the verdicts of
      its `--max-drop` and `--max-item-drop` gates (asked with `--beyond-noise`).
  reference_stats.py batch FILE
      runs the checks of FILE, one a line, arguments separated by tabs.

Unlike selfaudit, it takes the jackknife literally: it rescores the whole team without each
respondent in turn. α comes from `krippendorff.alpha(level_of_measurement="interval")`, t
quantiles from scipy. Prints every mismatch (1e-6; α 1e-9) and exits 1 when there is one.
"""
import json, math, sys, tomllib
from pathlib import Path

import numpy as np
import krippendorff
from scipy import stats

BUILTIN = {
    "yes-no": [("no", 0), ("yes", 1)],
    "yes-partly-no": [("no", 0), ("partly", 1), ("yes", 2)],
    "frequency": [(k, i) for i, k in enumerate(["never", "rarely", "sometimes", "often", "always"])],
    "agreement": [(str(i), i) for i in range(1, 6)],
    "0-10": [(str(i), i) for i in range(11)],
}
TOL, ALPHA_TOL = 1e-6, 1e-9
EPS = 1e-9  # selfaudit's tolerance for a delta equal on paper to its noise threshold


def wmean(parts):
    parts = [(w, s) for w, s in parts if s is not None]
    den = sum(w for w, _ in parts)
    return sum(w * s for w, s in parts) / den if parts and den > 0 else None


def load_checklists(cdir):
    out = {}
    for f in sorted(Path(cdir).glob("*.toml")):
        c = tomllib.loads(f.read_text())
        scales = {n: [(ch["key"], ch["value"]) for ch in s["choices"]] for n, s in c.get("scales", {}).items()}
        default = c.get("scale", "yes-no")
        items = {}
        for s in c["sections"]:
            for it in s["items"]:
                name = it.get("scale", default)
                choices = scales.get(name) or BUILTIN[name]
                values = [v for _, v in choices]
                lo, hi = min(values), max(values)
                # every choice, duplicates of value included: r_wg's σ² counts each choice
                items[it["id"]] = ({k: (v - lo) / (hi - lo) for k, v in choices},
                                   [(v - lo) / (hi - lo) for _, v in choices])
        out[c["id"]] = (c, items, c.get("renamed", {}))
    return out


def load_team(checklists, rdir):
    """Each respondent as {(checklist, item): score}, n/a and skipped left out."""
    team = []
    for f in sorted(Path(rdir).glob("*.toml")):
        r = tomllib.loads(f.read_text())
        own = {}
        for cid, table in r.get("answers", {}).items():
            _, items, renamed = checklists[cid]
            for iid, a in table.items():
                key = a["choice"] if isinstance(a, dict) else str(a)
                if key == "n/a":
                    continue
                iid = iid if iid in items else renamed[iid]
                own[(cid, iid)] = items[iid][0][key]
        team.append(own)
    return team


def score(checklists, team):
    """Every part's score in percent: keys (c,), (c, s), (c, s, i) and () for the overall."""
    out = {}
    for cid, (c, _, _) in checklists.items():
        secs = []
        for s in c["sections"]:
            its = []
            for it in s["items"]:
                xs = [r[(cid, it["id"])] for r in team if (cid, it["id"]) in r]
                v = 100 * sum(xs) / len(xs) if xs else None
                out[(cid, s["id"], it["id"])] = v
                its.append((it.get("weight", 1), v))
            out[(cid, s["id"])] = wmean(its)
            secs.append((s.get("weight", 1), out[(cid, s["id"])]))
        out[(cid,)] = wmean(secs)
    out[()] = wmean((checklists[c][0].get("weight", 1), out[(c,)]) for c in checklists)
    return out


def part_items(checklists, key):
    """The (checklist, item) pairs a part holds."""
    out = []
    for cid, (c, _, _) in checklists.items():
        if key and key[0] != cid:
            continue
        for s in c["sections"]:
            if len(key) > 1 and key[1] != s["id"]:
                continue
            for it in s["items"]:
                if len(key) > 2 and key[2] != it["id"]:
                    continue
                out.append((cid, it["id"]))
    return out


def margins(checklists, team):
    """{part: (score, se, lo, hi, moe)} by rescoring without each respondent in turn."""
    full = score(checklists, team)
    without = [score(checklists, team[:i] + team[i + 1:]) for i in range(len(team))]
    out = {}
    for key, theta in full.items():
        held = set(part_items(checklists, key))
        who = [i for i, r in enumerate(team) if held & r.keys()]
        loo = [without[i][key] for i in who if without[i][key] is not None]
        m = len(loo)
        if theta is None or m < 2:
            out[key] = (theta, None, None, None, None)
            continue
        bar = sum(loo) / m
        se = math.sqrt((m - 1) / m * sum((x - bar) ** 2 for x in loo))
        h = stats.t.ppf(0.975, m - 1) * se
        out[key] = (theta, se, min(max(theta - h, 0), 100), min(max(theta + h, 0), 100), h)
    return out


def rwg(checklists, team, cid, iid):
    xs = [r[(cid, iid)] for r in team if (cid, iid) in r]
    if len(xs) < 2:
        return None
    choices = checklists[cid][1][iid][1]
    sigma2 = np.var(np.array(choices))
    return min(max(1 - np.var(np.array(xs), ddof=1) / sigma2, 0.0), 1.0)


def alpha(checklists, team, cid):
    items = part_items(checklists, (cid,))
    data = np.array([[r.get(k, np.nan) for k in items] for r in team], dtype=float)
    pairable = [j for j in range(len(items)) if np.sum(~np.isnan(data[:, j])) >= 2]
    values = data[:, pairable][~np.isnan(data[:, pairable])]
    if len(values) < 2 or np.all(values == values[0]):
        return None
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="interval"))


class Checker:
    def __init__(self):
        self.bad = 0
        self.checked = 0

    def same(self, what, want, got, tol=TOL):
        self.checked += 1
        if isinstance(want, (bool, list)) or isinstance(got, (bool, list)) or want is None or got is None:
            ok = want == got
        else:
            ok = abs(want - got) <= tol
        if not ok:
            self.bad += 1
            print(f"mismatch {what}: reference {want!r}, selfaudit {got!r}")

    def finish(self):
        print(f"{self.checked} figures checked: " + ("all agree" if self.bad == 0 else f"{self.bad} mismatches"))
        return self.bad == 0


def check_margin(chk, what, ref, part):
    _, se, lo, hi, h = ref
    chk.same(f"{what} se", se, part.get("se"))
    ci = part.get("ci")
    chk.same(f"{what} ci lo", lo, ci[0] if ci else None)
    chk.same(f"{what} ci hi", hi, ci[1] if ci else None)
    chk.same(f"{what} moe", h, part.get("moe"))


def check_report(cdir, rdir, path):
    checklists = load_checklists(cdir)
    team = load_team(checklists, rdir)
    ref = margins(checklists, team)
    got = json.loads(Path(path).read_text())
    chk = Checker()
    check_margin(chk, "overall", ref[()], got)
    for c in got["checklists"]:
        check_margin(chk, c["id"], ref[(c["id"],)], c)
        chk.same(f"{c['id']} alpha", alpha(checklists, team, c["id"]), c.get("alpha"), ALPHA_TOL)
        for s in c["sections"]:
            check_margin(chk, f"{c['id']}/{s['id']}", ref[(c["id"], s["id"])], s)
            for it in s["items"]:
                what = f"{c['id']}/{it['id']}"
                check_margin(chk, what, ref[(c["id"], s["id"], it["id"])], it)
                chk.same(f"{what} rwg", rwg(checklists, team, c["id"], it["id"]), it.get("rwg"))
    return chk.finish()


def check_diff(cdir, bdir, ndir, path):
    checklists = load_checklists(cdir)
    base = margins(checklists, load_team(checklists, bdir))
    new = margins(checklists, load_team(checklists, ndir))
    got = json.loads(Path(path).read_text())

    def beyond(key):
        (b, _, _, _, hb), (n, _, _, _, hn) = base[key], new[key]
        if b is None or n is None or hb is None or hn is None:
            return None
        return abs(n - b) > math.sqrt(hb * hb + hn * hn) + EPS

    chk = Checker()
    chk.same("overall beyond_noise", beyond(()), got.get("beyond_noise"))
    for c in got["checklists"]:
        chk.same(f"{c['id']} beyond_noise", beyond((c["id"],)), c.get("beyond_noise"))
    for s in got["sections"]:
        chk.same(f"{s['checklist']}/{s['id']} beyond_noise", beyond((s["checklist"], s["id"])), s.get("beyond_noise"))
    sections = {(cid, it["id"]): s["id"] for cid, (c, _, _) in checklists.items() for s in c["sections"] for it in s["items"]}
    for it in got["items"]:
        key = (it["checklist"], sections[(it["checklist"], it["id"])], it["id"])
        chk.same(f"{it['checklist']}/{it['id']} beyond_noise", beyond(key), it.get("beyond_noise"))
    # Gates asked with --beyond-noise: a drop over the limit counts unless it is within noise.
    for gate in got.get("gates", []):
        limit = gate["limit"]
        if gate["gate"] == "max-drop":
            b, n = base[()][0], new[()][0]
            if b is None:
                fails = False
            elif n is None:
                fails = True
            else:
                fails = b - n > limit + EPS and beyond(()) is not False
            chk.same("max-drop passed", not fails, gate["passed"])
        elif gate["gate"] == "max-item-drop":
            counted, quiet = set(), set()
            for it in got["items"]:
                key = (it["checklist"], sections[(it["checklist"], it["id"])], it["id"])
                b, n = base[key][0], new[key][0]
                if b is None or n is None or not b - n > limit + EPS:
                    continue
                (quiet if beyond(key) is False else counted).add(f"{it['checklist']}/{it['id']}")
            chk.same("max-item-drop passed", not counted, gate["passed"])
            chk.same("max-item-drop items", sorted(counted), sorted(gate.get("items", [])))
            chk.same("max-item-drop within_noise", sorted(quiet), sorted(gate.get("within_noise", [])))
    return chk.finish()


def run(args):
    if len(args) == 4 and args[0] == "report":
        return check_report(*args[1:])
    if len(args) == 5 and args[0] == "diff":
        return check_diff(*args[1:])
    print(__doc__, file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "batch":
        # One check per line, its arguments tab-separated: one Python start for many checks.
        jobs = [line.split("\t") for line in Path(sys.argv[2]).read_text().splitlines() if line]
        results = [run(job) for job in jobs]
        sys.exit(0 if all(results) else 1)
    sys.exit(0 if run(sys.argv[1:]) else 1)
