"""The web classifier's learned block model: its file is validated at load, it can be switched off,
and its features describe the blocks of a page."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import Pipeline, RuleFileError, load_rules
from cleaner.document import Document
from cleaner.steps.block_model import CONTEXT_FEATURES, FEATURES, BlockModel
from cleaner.steps.blocks import BlockClassifierStep

ARTICLE = (
    "The committee met for three hours on Tuesday and agreed, after a long and sometimes bitter debate about "
    "the costs of the new bridge over the river, that the work should begin in the spring of next year."
)


def classifier(pipe: Pipeline) -> BlockClassifierStep:
    return next(s for s in pipe.steps if isinstance(s, BlockClassifierStep))


def user_rules(tmp_path, body: str):
    path = tmp_path / "mine.toml"
    path.write_text('[meta]\nextends = ["web"]\n[classifier]\n' + body, encoding="utf-8")
    return path


def test_the_web_pack_ships_a_model_that_loads():
    model = classifier(Pipeline.from_rules("web")).model
    assert model is not None
    assert model.hidden_weights.shape[0] == len(model.inputs)
    assert model.inputs[: len(FEATURES)] == FEATURES


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read model file"),
        ("not json", "is not JSON"),
        ('{"format": "something-else"}', "is not a cleaner-block-model/1 file"),
        ('{"format": "cleaner-block-model/1", "features": ["log_chars"]}', "trained on other features"),
    ],
)
def test_a_bad_model_file_fails_at_load_with_the_rule_file_and_rule(tmp_path, content, message):
    if content is not None:
        (tmp_path / "m.json").write_text(content, encoding="utf-8")
    path = user_rules(tmp_path, 'model = "m.json"\n')
    with pytest.raises(RuleFileError, match=message) as info:
        load_rules(path)
    assert "mine.toml" in str(info.value) and "web-blocks" in str(info.value)


def test_weights_of_the_wrong_shape_fail_at_load(tmp_path):
    shipped = classifier(Pipeline.from_rules("web")).model
    assert shipped is not None
    raw = json.loads(shipped.to_json())
    raw["out_weights"] = raw["out_weights"][:-1]
    (tmp_path / "m.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(RuleFileError, match="weight shapes"):
        load_rules(user_rules(tmp_path, 'model = "m.json"\n'))


def test_a_user_file_can_switch_the_model_off_or_move_its_threshold(tmp_path):
    page = "Home\nAbout\nBlog\nContact\n" + ARTICLE + "\nPrivacy\nTerms"
    off = Pipeline(load_rules(user_rules(tmp_path, 'model = ""\n')))
    assert classifier(off).model is None
    assert off.clean(page).text == ARTICLE  # jusText's rules alone
    moved = Pipeline(load_rules(user_rules(tmp_path, "model_threshold = 0.2\n")))
    assert classifier(moved).model is not None  # the inherited model, found beside web.toml, not mine.toml
    assert classifier(moved).s.model_threshold == 0.2
    with pytest.raises(RuleFileError, match="model_threshold"):
        load_rules(user_rules(tmp_path, "model_threshold = 1.5\n"))


def test_features_describe_each_block_of_a_page():
    step = classifier(Pipeline.from_rules("web"))
    lines = ["Home", "Contact: editor@example.org", ARTICLE, "© 2020 Example"]
    page = step.analyse(lines, removed_lines_count=True)
    assert page is not None
    x = step.features(page)
    assert step.model is not None
    assert x.shape == (4, len(step.model.inputs))
    col = {name: x[:, k] for k, name in enumerate(step.model.inputs)}
    assert col["ends_sentence"].tolist() == [0, 0, 1, 0]
    assert col["link_or_email"].tolist() == [0, 1, 0, 0]
    assert col["copyright"].tolist() == [0, 0, 0, 1]
    assert col["first_good"].tolist() == [0, 0, 1, 0]
    assert col["n-1_exists"].tolist() == [0, 1, 1, 1] and col["n+1_exists"].tolist() == [1, 1, 1, 0]
    assert col["relative_length"][2] == 1.0
    # the shipped lexicon: the article's words read as content, "Home" and a copyright line less so
    assert col["lexical"][2] > max(col["lexical"][0], col["lexical"][3])
    assert col["n-1_lexical"].tolist()[1:] == col["lexical"].tolist()[:-1] and col["n-1_lexical"][0] == 0
    assert col["page_lexical"].tolist() == [pytest.approx(col["lexical"].mean())] * 4
    assert np.isfinite(x).all()


def test_on_pages_it_never_saw_the_model_beats_justexts_rules():
    """The 20 real test pages are left out of the model's training (bench/train_classifier.py): on them
    the model keeps more must-keep snippets than jusText's rules alone and removes more of the
    must-remove ones (measured with the 5-member model and its lexicon: kept 0.967 vs 0.883, removed
    0.706 vs 0.667; each must-remove snippet is 0.02 there, so the held-out-site figures in
    BENCHMARKS.md are the ones to compare models by)."""
    from test_web_pack import shares

    web = Pipeline.from_rules("web")
    alone = Pipeline(dataclasses.replace(web.rules, classifier=dataclasses.replace(web.rules.classifier, model=None)))
    keep, remove = shares(web)
    keep_alone, remove_alone = shares(alone)
    assert keep >= keep_alone + 0.05
    assert remove > remove_alone


def test_a_drop_note_gives_the_models_probability():
    """On a seven-line toy page the model drops the menu lines but one ("About" before the article
    stays: it learned on real pages of about 180 blocks, see BENCHMARKS.md)."""
    result = Pipeline.from_rules("web").clean("Home\nAbout\nBlog\nContact\n" + ARTICLE + "\nPrivacy\nTerms")
    assert result.text.endswith(ARTICLE) and len(result.text.split("\n")) <= 2
    notes = [e.note for e in result.edits if e.step == "classifier"]
    assert notes and all(", model 0." in note for note in notes)


def test_model_probability_is_a_probability():
    model = classifier(Pipeline.from_rules("web")).model
    assert isinstance(model, BlockModel)
    rng = np.random.default_rng(0)
    p = model.probability(rng.normal(size=(50, len(model.inputs))) * 100)
    assert ((p >= 0) & (p <= 1)).all()


def test_a_line_kept_beside_a_removed_one_stays_kept_on_a_second_run():
    """Found by hypothesis: "I agree" goes by a boilerplate rule, and the model weighs that removed
    neighbour (removed_before). A second run no longer sees it, so the classifier looks once more
    as that run will, even when its first look dropped nothing."""
    web = Pipeline.from_rules("web")
    text = (
        "0000\nNBSP\xa0here  \nI agree\nMoon dust was gifted to French President Emmanuel Macron. /CGTN\n0\n"
        "caf\u00c3\u00a9 with mojibake"
    )
    once = web.clean(text)
    assert web.clean(once.text).text == once.text


def test_kept_block_statistics_change_no_result_and_stay_bounded(monkeypatch):
    """The classifier keeps each block text's statistics (later looks and a site's repeated menus
    reuse them). A step that has seen every test page before decides each page as a fresh one does,
    and the store is emptied when it reaches its size."""
    from test_web_pack import PAGES

    import cleaner.steps.blocks as blocks

    monkeypatch.setattr(blocks, "STATS_CACHE_SIZE", 300)
    warm = Pipeline.from_rules("web")
    first_pass = [warm.clean(page["text"]).text for page in PAGES]
    assert 0 < len(classifier(warm)._stats_cache) <= 300
    for page, text in zip(PAGES, first_pass, strict=True):
        fresh = Pipeline.from_rules("web")
        assert warm.clean(page["text"]).text == text == fresh.clean(page["text"]).text


def test_thresholds_are_compared_as_logits():
    """The classifier compares the model's logit with the logit of each probability threshold: the same
    call as comparing probabilities, with 0 and 1 as the edges (always, never)."""
    import math

    from cleaner.steps.block_model import logit_of, probabilities_of

    assert logit_of(0.0) == -math.inf and logit_of(1.0) == math.inf
    logits = np.linspace(-6, 6, 2001)
    chances = probabilities_of(logits)
    for threshold in (0.15, 0.2, 0.4, 0.5, 0.9):
        clear = np.abs(chances - threshold) > 1e-12
        assert np.array_equal((chances >= threshold)[clear], (logits >= logit_of(threshold))[clear])


def lexicon_model(weight: float = 1.0, seed: int = 0) -> tuple[BlockModel, BlockModel]:
    """The shipped model's network with a small hand-made lexicon and the lexical features' hidden weights
    random (times `weight`)."""
    from conftest import with_lexicon

    from cleaner.steps.block_model import Lexicon

    shipped = classifier(Pipeline.from_rules("web")).model
    assert shipped is not None
    words = ("home", "login", "share", "teilen", "committee", "bridge", "the")
    weights = np.array([[-2, -1, -1], [-3, -1, -1], [-2, -1, -1], [-2, -1, -1], [1, 0, 0], [1, 0, 0.5], [0.5, 0, 0]])
    lexicon = Lexicon(words, weights.astype(np.float64), 12, 0.25)
    return with_lexicon(shipped, lexicon, weight, seed), with_lexicon(shipped, None)


def test_a_model_with_a_lexicon_round_trips_through_its_file(tmp_path):
    model, _ = lexicon_model()
    (tmp_path / "m.json").write_text(model.to_json(), encoding="utf-8")
    loaded = BlockModel.load(tmp_path / "m.json")
    assert loaded.lexicon is not None and model.lexicon is not None
    assert loaded.inputs == model.inputs and len(loaded.inputs) == len(FEATURES) + 6
    assert loaded.lexicon.words == model.lexicon.words
    assert np.array_equal(loaded.lexicon.weights, model.lexicon.weights)
    words = [["home", "the", "bridge"], ["committee"], [], ["unknown", "login"]]
    assert loaded.lexicon.scores(words).tolist() == model.lexicon.scores(words).tolist()
    rows = np.random.default_rng(1).normal(size=(20, len(loaded.inputs)))
    assert np.allclose(loaded.probability(rows), model.probability(rows), atol=1e-5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw.update(features=raw["features"][: len(FEATURES)]), "trained on other features"),
        (lambda raw: raw["lexicon"].update(words=["home"]), "missing or malformed"),
        (lambda raw: raw["lexicon"].update(words={"home": [1, 2]}), "missing or malformed"),
        (lambda raw: raw["lexicon"].update(first_words=-1), "missing or malformed"),
        (lambda raw: raw["lexicon"].pop("bias"), "missing or malformed"),
    ],
)
def test_a_bad_lexicon_fails_at_load(tmp_path, change, message):
    model, _ = lexicon_model()
    raw = json.loads(model.to_json())
    change(raw)
    (tmp_path / "m.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(RuleFileError, match=message):
        load_rules(user_rules(tmp_path, 'model = "m.json"\n'))


def test_the_lexicon_scores_words_and_the_model_reads_the_scores():
    """A lexicon whose features weigh nothing in the network changes no verdict; one that weighs them
    changes the model's probabilities, and a menu word scores below words of an article."""
    from test_web_pack import PAGES

    silent, base = lexicon_model(weight=0.0)
    loud, _ = lexicon_model(weight=3.0)
    assert silent.lexicon is not None
    menu, prose = silent.lexicon.scores([["login"], ["the", "committee", "bridge"]])
    assert menu < 0 < prose
    step = classifier(Pipeline.from_rules("web"))
    pages = [page["text"] for page in PAGES[:6]]
    results = {}
    for name, model in (("base", base), ("silent", silent), ("loud", loud)):
        step.model = model
        results[name] = [step(Document(text=page)).edits for page in pages]
    assert results["silent"] == results["base"]
    assert results["loud"] != results["base"]


def test_a_new_model_is_not_served_the_last_ones_statistics():
    """The statistics kept per block text hold the lexical score of the model that computed them:
    setting another model empties them, so the step decides as a fresh one with that model."""
    from test_web_pack import PAGES

    loud, base = lexicon_model(weight=3.0)
    pages = [page["text"] for page in PAGES[:4]]
    step = classifier(Pipeline.from_rules("web"))
    step.model = base
    for page in pages:
        step(Document(text=page))
    step.model = loud
    fresh = classifier(Pipeline.from_rules("web"))
    fresh.model = loud
    assert [step(Document(text=p)).edits for p in pages] == [fresh(Document(text=p)).edits for p in pages]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(-50, 50, allow_nan=False), max_size=40))
def test_context_features_read_the_first_models_calls_around_each_block(logits):
    from cleaner.steps.block_model import CONTEXT_FEATURES, context_features

    values = np.array(logits, dtype=np.float64)
    n = len(values)
    out = context_features(values)
    column = {name: out[:, k] for k, name in enumerate(CONTEXT_FEATURES)}
    assert out.shape == (n, len(CONTEXT_FEATURES)) and np.isfinite(out).all()
    clipped = np.clip(values, -9, 9)
    for k in range(n):
        assert column["n-1_model_logit"][k] == (clipped[k - 1] if k >= 1 else 0.0)
        assert column["n+5_model_logit"][k] == (clipped[k + 5] if k + 5 < n else 0.0)
        before, after = values[max(0, k - 10) : k] > 0, values[k + 1 : k + 11] > 0
        assert column["good_before_near"][k] == pytest.approx(before.mean() if len(before) else 0.0)
        assert column["good_after_near"][k] == pytest.approx(after.mean() if len(after) else 0.0)
        assert column["page_good_before"][k] == pytest.approx((values[:k] > 0).sum() / max(1, (values > 0).sum()))
    if n:
        assert np.all(column["page_model_good_share"] == pytest.approx((values > 0).mean()))
        assert np.all(column["page_model_max"] == clipped.max())


def test_a_model_with_a_context_model_round_trips_through_its_file(tmp_path):
    from conftest import with_context

    model = with_context(lexicon_model()[0], weight=1.0)
    assert model.context is not None
    (tmp_path / "m.json").write_text(model.to_json(), encoding="utf-8")
    loaded = BlockModel.load(tmp_path / "m.json")
    assert loaded.context is not None and loaded.lexicon is not None
    assert loaded.context.inputs == model.context.inputs == model.inputs + CONTEXT_FEATURES
    rows = np.random.default_rng(1).normal(size=(30, len(loaded.inputs)))
    assert np.allclose(loaded.logits(rows), model.logits(rows), atol=1e-4)
    assert not np.allclose(loaded.logits(rows), dataclasses.replace(loaded, context=None).logits(rows), atol=1e-2)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["context"].update(features=raw["features"]), "trained on other features"),
        (lambda raw: raw.update(context=[1, 2]), "context must be a model"),
        (lambda raw: raw["context"].pop("out_bias"), "missing or malformed"),
        (lambda raw: raw["context"].update(hidden_bias=[0.0]), "weight shapes"),
        (lambda raw: raw["context"].update(lexicon=raw["lexicon"]), "trained on other features|no lexicon"),
    ],
)
def test_a_bad_context_model_fails_at_load(tmp_path, change, message):
    from conftest import with_context

    raw = json.loads(with_context(lexicon_model()[0]).to_json())
    change(raw)
    (tmp_path / "m.json").write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(RuleFileError, match=message):
        load_rules(user_rules(tmp_path, 'model = "m.json"\n'))


def test_the_context_model_decides_from_the_first_models_calls():
    """A context model that copies the first model and gives its context features no weight makes the
    same calls; one that weighs them changes them."""
    from conftest import with_context
    from test_web_pack import PAGES

    first, _ = lexicon_model(weight=1.0)
    step = classifier(Pipeline.from_rules("web"))
    pages = [page["text"] for page in PAGES[:6]]
    results = {}
    for name, model in (("first", first), ("silent", with_context(first, 0.0)), ("loud", with_context(first, 3.0))):
        step.model = model
        results[name] = [step(Document(text=page)).edits for page in pages]
    assert results["silent"] == results["first"]
    assert results["loud"] != results["first"]
