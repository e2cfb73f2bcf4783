"""The fingerprint tool: the same runs hash alike, and any changed number changes the hash."""

from __future__ import annotations

import json

import pandas as pd

from experiments import fingerprint as fp


def test_a_table_hash_sees_one_changed_bit_and_the_column_names():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    same = fp.table_digest(frame.copy())
    assert fp.table_digest(frame) == same
    nudged = frame.copy()
    nudged.loc[1, "a"] = 2.0 + 2.0**-51  # the last bit of the mantissa
    assert fp.table_digest(nudged) != same
    assert fp.table_digest(frame.rename(columns={"a": "c"})) != same


def test_write_then_check_passes_and_a_changed_fingerprint_fails(tmp_path, capsys):
    path = tmp_path / "prints.json"
    args = ["--seeds", "1", "--only", "partial_team"]
    assert fp.main(["--write", str(path), *args]) == 0
    assert fp.main(["--check", str(path), *args]) == 0
    prints = json.loads(path.read_text())
    prints["partial_team"] = "0" * 64
    path.write_text(json.dumps(prints))
    assert fp.main(["--check", str(path), *args]) == 1
    assert "DIFFERS partial_team" in capsys.readouterr().out
