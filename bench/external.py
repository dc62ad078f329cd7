"""The benches other branches write (bench/import_rows.py, bench/export_rows.py), each with
``run(database_url, rows) -> list[dict]``; a row says "not yet" while the file is absent.

Each dict they return becomes a table row; the keys read are those of measure.Row (``bench``,
``measured``, ``baseline``, ``ratio``, ``target``, ``ok``, ``note``); others are ignored.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from measure import Row

HERE = Path(__file__).resolve().parent
FIELDS = ("bench", "measured", "baseline", "ratio", "target", "ok", "note")


def _amount(value, unit: str) -> str:
    return f"{float(value):,.1f} {unit}"


def as_row(found: dict, default_name: str) -> Row:
    """One dict of another bench as a Row: its known keys, typed; the bench's name by default.
    perf-exports' shape is read too: ``name``, ``seconds`` and ``baseline_seconds`` (megabytes when
    ``unit`` is "MB")."""
    found = dict(found)
    unit = "MB" if found.get("unit") == "MB" else "s"
    if "name" in found and "bench" not in found:
        found["bench"] = found["name"]
    if "seconds" in found and "measured" not in found:
        found["measured"] = _amount(found["seconds"], unit)
    if "baseline_seconds" in found and "baseline" not in found:
        found["baseline"] = _amount(found["baseline_seconds"], unit)
    values = {k: found[k] for k in FIELDS if found.get(k) is not None}
    values.setdefault("bench", default_name)
    for key in ("bench", "measured", "baseline", "target", "note"):
        if key in values:
            values[key] = str(values[key])
    if "ratio" in values:
        values["ratio"] = float(values["ratio"])
    if "ok" in values:
        values["ok"] = bool(values["ok"])
    return Row(**values)


def run(module: str, name: str, database_url: str, rows: int) -> list[Row]:
    path = HERE / f"{module}.py"
    if not path.exists():
        return [Row(name, note=f"not yet: bench/{module}.py is not on this branch")]
    spec = importlib.util.spec_from_file_location(module, path)
    if spec is None or spec.loader is None:
        raise ImportError(path)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return [as_row(found, name) for found in loaded.run(database_url, rows)]
