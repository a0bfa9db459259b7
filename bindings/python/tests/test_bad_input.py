"""The bad-input corpus of tests/bad-input/ through the Python API, as
tests/integration/bad_input.rs runs it through Rust: the same error lines, each issue's code as
data/expected/bad-input.codes.txt lists it (the Node tests check the same file), every error an
InputError (a ValueError) and never a panic; the module still works after each."""

from pathlib import Path
from typing import List, Tuple

import pytest

import parindex

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "bad-input"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
CODES = dict(
    line.split(": ", 1)
    for line in (ROOT / "data" / "expected" / "bad-input.codes.txt").read_text(encoding="utf-8").splitlines()
)
GOLDEN = (ROOT / "data" / "expected" / "par-demo.results.csv").read_text(encoding="utf-8")


def outcome(name: str) -> Tuple[str, List[str]]:
    """The lines reading and scoring a case gives (``ok`` when accepted), and the codes."""
    case = CORPUS / name
    m_path = case / "m.csv" if (case / "m.csv").exists() else CORPUS / "methodology.csv"
    try:
        m = parindex.Methodology.from_csv(m_path.read_bytes(), file="m.csv")
        parindex.score(m, (case / "s.csv").read_bytes(), file="s.csv")
    except parindex.InputError as err:
        issues = err.errors()
        for issue in issues:
            assert issue["message"].startswith(f"{issue['location']}: ") or issue["location"] == ""
        assert str(err) == "\n".join(i["message"] for i in issues)
        return "".join(f"{i['message']}\n" for i in issues), [i["code"] for i in issues]
    return "ok\n", []


def test_the_corpus_has_its_cases() -> None:
    assert len(CASES) >= 30
    assert sorted(CODES) == CASES


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name: str) -> None:
    lines, codes = outcome(name)
    assert lines == (CORPUS / name / "expected.txt").read_text(encoding="utf-8")
    assert (" ".join(codes) or "ok") == CODES[name]
    assert parindex.score(*parindex.examples.load("par-demo")).to_csv() == GOLDEN
