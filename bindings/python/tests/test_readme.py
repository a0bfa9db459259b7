"""The notebook examples of bindings/python/README.md run as written (from the repository root)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_readme_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "bindings" / "python" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(blocks) == 2 and all(len(b.splitlines()) <= 10 for b in blocks)
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), scope)
    assert scope["survey"].to_json() == (ROOT / "data" / "expected" / "sipas-demo.survey.json").read_text(encoding="utf-8")
    assert list(scope["frame"].columns[:4]) == ["domain", "id", "level", "code"]
    assert scope["fed"] is not scope["scores"]
    assert list(scope["table"].columns[:7]) == ["unit", "name", "group", "points", "percent", "rank", "band"]
    assert scope["results"].to_csv() == (ROOT / "data" / "expected" / "par-demo-2022.results.csv").read_text(
        encoding="utf-8"
    )
