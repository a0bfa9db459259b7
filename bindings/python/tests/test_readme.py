"""The notebook example of bindings/python/README.md runs as written (from the repository root)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_readme_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "bindings" / "python" / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert len(blocks) == 1 and len(blocks[0].splitlines()) <= 10
    monkeypatch.chdir(ROOT)
    scope: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)
    assert list(scope["table"].columns[:7]) == ["unit", "name", "group", "points", "percent", "rank", "band"]
    assert scope["results"].to_csv() == (ROOT / "data" / "expected" / "par-demo-2022.results.csv").read_text(
        encoding="utf-8"
    )
