"""The Ray engine gives what the local engine gives, and survives a worker failure (local Ray, 2 CPUs)."""

from __future__ import annotations

import pytest
from conftest import corpus, read_jsonl

from cleaner import Pipeline
from cleaner.dedup import Deduplicator

ray = pytest.importorskip("ray", reason="the Ray engine is the optional extra cleaner[ray]")


@pytest.fixture(scope="module")
def local_ray(tmp_path_factory):
    from cleaner.engines.ray import FAULT_MARKER_ENV, FAULT_RAISE_ENV

    folder = tmp_path_factory.mktemp("ray")
    marker = folder / "failed-once"
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={"env_vars": {FAULT_MARKER_ENV: str(marker), FAULT_RAISE_ENV: str(folder / "raised")}},
    )
    ctx = ray.data.DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.preserve_order = True  # the documented way to keep input order in outputs
    marker.write_text("not armed")  # the retry test arms it
    yield marker
    ray.shutdown()


def rows(n: int) -> list[dict]:
    """Real Reuters records, including their natural duplicates."""
    return [{"id": r["id"], "text": r["text"]} for r in read_jsonl(corpus("reuters21578.jsonl.gz"), limit=n)]


def test_clean_equals_local_engine(local_ray):
    from cleaner.engines import ray as cray

    data = [*rows(600), {"id": "drop-me", "text": "Advertisement\nI agree"}]
    got = cray.clean(ray.data.from_items(data), "default").take_all()
    local = [Pipeline.from_rules("default").clean(r["text"]) for r in data]
    assert [(g["id"], g["text"]) for g in got] == [
        (r["id"], res.text) for r, res in zip(data, local, strict=True) if not res.dropped
    ]
    assert "drop-me" not in {g["id"] for g in got}


def test_dedup_equals_local_engine(local_ray):
    from cleaner.engines import ray as cray

    data = rows(500)
    deduped, kept_of = cray.dedup(ray.data.from_items(data))
    got = [r["id"] for r in deduped.take_all()]
    local = Deduplicator(verify="estimate").add_many((r["id"], r["text"]) for r in data).duplicates()
    assert local, "the subset has duplicates"
    assert got == [r["id"] for r in data if r["id"] not in local]
    assert {data[i]["id"]: data[k]["id"] for i, k in kept_of.items()} == {k: v.kept_id for k, v in local.items()}


def test_a_batch_whose_worker_dies_is_retried_without_losing_or_doubling(local_ray):
    from cleaner.engines import ray as cray

    local_ray.unlink()  # arm: the worker cleaning the first batch now dies once
    data = rows(300)
    got = cray.clean(ray.data.from_items(data), "default", batch_size=50).take_all()
    assert local_ray.read_text() == "failed once"
    ids = [g["id"] for g in got]
    assert len(ids) == len(set(ids)) == len(data)
    assert ids == [r["id"] for r in data]


def test_an_error_in_cleaning_stops_the_run_without_retries(local_ray):
    """A Python exception in a batch would recur on a retry (cleaning is deterministic): the run stops
    with it, after one attempt."""
    from cleaner.engines import ray as cray

    log = local_ray.parent / "raised"
    log.write_text("")  # arm: every batch raises while the file exists
    try:
        with pytest.raises(Exception, match="injected error in cleaning"):
            cray.clean(ray.data.from_items(rows(20)), "default", batch_size=20).take_all()
        assert log.read_text().splitlines() == ["raised"]
    finally:
        log.unlink()


def test_cli_engine_ray_reads_and_writes_jsonl(local_ray, tmp_path):
    import json
    import subprocess
    import sys

    from conftest import ROOT

    src = tmp_path / "in"
    src.mkdir()
    data = rows(120)
    (src / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in data))
    done = subprocess.run(
        [sys.executable, "-m", "cleaner.cli", "run", str(src), "--out", str(tmp_path / "out"), "--engine", "ray"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "documents in 120, written 120" in done.stdout
    written = [json.loads(line) for p in sorted((tmp_path / "out").glob("*.json")) for line in p.open()]
    expected = [Pipeline.from_rules("default").clean(r["text"]).text for r in data]
    assert sorted(w["text"] for w in written) == sorted(expected)


def test_web_pack_learns_corpus_lines_on_ray_as_the_local_engine_does(local_ray, tmp_path):
    """Three pages of one site share their chrome: both engines learn it and give the same text."""
    import json

    from conftest import DATA

    from cleaner.engines import ray as cray

    pages = [json.loads(x) for x in (DATA / "trafilatura_pages.jsonl").read_text(encoding="utf-8").splitlines()]
    chrome = pages[0]["text"].split("\n")[:12]
    records = [
        {
            "id": str(i),
            "url": f"https://example.org/{i}",
            "text": "\n".join([*chrome, max(p["text"].split("\n"), key=len)]),
        }
        for i, p in enumerate(pages[1:4])
    ]
    local = Pipeline.from_rules("web")
    from cleaner.document import Document

    docs = [Document(text=r["text"], meta={"url": r["url"]}) for r in records]
    learned = local.with_learned(local.learn_lines(docs))
    expected = [learned.clean(Document(text=r["text"], meta={"url": r["url"]})).text for r in records]
    got = cray.clean(ray.data.from_items(records), ("web",), keep_dropped=True).take_all()
    assert [row["text"] for row in got] == expected
    assert all(chrome[1] not in text for text in expected)  # the learned chrome is gone
