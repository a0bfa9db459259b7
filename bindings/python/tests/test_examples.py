"""examples/python/tour.py runs as written, from the repository root."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_tour_runs(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    scope = runpy.run_path(str(ROOT / "examples" / "python" / "tour.py"))
    out = capsys.readouterr().out
    assert "so-y-te lost most on" in out and "SIPAS overall:" in out and "on-time:" in out
    assert list(scope["table"].columns[:4]) == ["unit", "name", "group", "points"]
    assert len(scope["robust"]["units"]) == 12
