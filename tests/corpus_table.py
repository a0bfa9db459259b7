"""Writes tests/README.md: the table of the bad-input corpora (case → expected outcome)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent
HEAD = """# The bad-input corpora

Every case is a folder with its input and `expected.txt`: the exact error lines (or `ok` when
the input is accepted, with what was read). The Rust tests (`tests/integration/bad_input.rs`,
`tests/integration/survey.rs`), pytest and Node run every case and compare the text; they also
check that no panic escapes and that the module still works after each error.

## Score sheets and methodologies (`bad-input/`)

Each case holds `s.csv` (and `m.csv` when the case is about the methodology; otherwise
`bad-input/methodology.csv`).
"""
SURVEY = """
## Survey responses (`bad-survey/`)

Each case holds `r.csv`, read against `bad-survey/questionnaire.json` (a satisfaction item,
a yes/no item and a choose-up-to-2 priority item; forms for citizens and businesses), or a
questionnaire `q.json` (the `q-` cases).
"""
DOSSIERS = """
## Dossier lists (`bad-dossiers/`)

Each case holds `d.csv` (`unit,dossier_id,received,due,completed`).
"""
RESULTS = """
## Last year's results, as published (`bad-results/`)

Each case holds `p.csv` or `p.json`: a year's results read back for a comparison
(`parindex compare --previous-results`, `parindex.read_results`, `PublishedResults.read`).
Accepted cases say how many units and ranked units were read.
"""
TAIL = """
Regenerate the `expected.txt` of every case with `PARINDEX_BLESS=1 cargo test -p
parindex-tests --test integration bad_` and review the diff; this table with `python3 tests/corpus_table.py`.
"""


def table(folder: Path) -> str:
    lines = ["", "| case | expected |", "|---|---|"]
    for case in sorted(p for p in folder.iterdir() if p.is_dir()):
        text = (case / "expected.txt").read_text(encoding="utf-8").strip()
        lines.append(f"| `{case.name}` | {text.replace('|', chr(92) + '|').replace(chr(10), '<br>')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = HEAD + table(ROOT / "bad-input") + SURVEY + table(ROOT / "bad-survey")
    text += DOSSIERS + table(ROOT / "bad-dossiers") + RESULTS + table(ROOT / "bad-results") + TAIL
    (ROOT / "README.md").write_text(text, encoding="utf-8")
