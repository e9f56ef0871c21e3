"""The settings object: one part per stage, every field described, flat names that stay unique,
presets that name only real settings, and the default preset equal to the defaults it spells
out (so it cannot drift from the code)."""

from __future__ import annotations

import pytest
import yaml

from kernwijzer.config import FIELDS, PRESETS_DIR, STAGES, Settings, SettingsError, load_settings


def test_every_setting_and_stage_has_a_description():
    missing = [name for name, f in FIELDS.items() if not f.description]
    missing += [name for name, f in Settings.model_fields.items() if not f.description]
    assert missing == []


def test_flat_names_are_read_into_their_stage_and_back():
    s = Settings(top_k=3, chunk_tokens=64, host="0.0.0.0")
    assert (s.answer.top_k, s.chunking.chunk_tokens, s.app.host) == (3, 64, "0.0.0.0")
    assert Settings(answer={"top_k": 3}).answer.top_k == 3  # grouped by stage works too
    assert Settings(**s.flat()) == s and s.updated(top_k=4).answer.top_k == 4
    assert set(s.flat()) == set(FIELDS) and list(Settings.model_fields) == list(STAGES)


def test_a_model_profile_fills_its_prompts_and_fitted_weights_unless_given():
    s = Settings()
    assert s.embedding.query_prefix == "task: search result | query: " and s.retrieval.rrf_k == 10
    assert Settings(rrf_k=30).retrieval.rrf_k == 30
    light = Settings(model="intfloat/multilingual-e5-small")
    assert light.embedding.model == "multilingual-e5-small"
    assert light.embedding.query_prefix == "query: " and light.retrieval.rrf_k == 30


def test_a_bad_or_unknown_value_is_refused_by_its_flat_name(monkeypatch):
    with pytest.raises(SettingsError, match=r"top_k / KERNWIJZER_TOP_K: .*greater than"):
        load_settings(top_k=0)
    monkeypatch.setenv("KERNWIJZER_RRF_K", "many")
    with pytest.raises(SettingsError, match="rrf_k / KERNWIJZER_RRF_K"):
        load_settings()
    with pytest.raises(ValueError, match="bogus"):
        Settings(bogus=1)


def test_the_environment_beats_a_preset_and_a_flag_beats_both(monkeypatch):
    monkeypatch.setenv("KERNWIJZER_LEXICAL_WEIGHT_NL", "0.25")
    monkeypatch.setenv("KERNWIJZER_ALLOWED_HOSTS", '["a.example", "b.example"]')
    s = load_settings("weighted-fusion")
    assert s.retrieval.fusion == "weighted" and s.retrieval.lexical_weight_nl == 0.25
    assert s.app.allowed_hosts == ["a.example", "b.example"]
    assert (
        load_settings("weighted-fusion", lexical_weight_nl=0.5).retrieval.lexical_weight_nl == 0.5
    )


@pytest.mark.parametrize("preset", sorted(p.name for p in PRESETS_DIR.glob("*.yaml")))
def test_every_preset_names_only_known_settings(preset):
    values = yaml.safe_load((PRESETS_DIR / preset).read_text(encoding="utf-8"))
    assert isinstance(values, dict) and values
    assert set(values) <= set(FIELDS)
    Settings.model_validate(values)  # and valid values


def test_the_default_preset_is_the_defaults():
    values = yaml.safe_load((PRESETS_DIR / "default.yaml").read_text(encoding="utf-8"))
    differ = {k: v for k, v in values.items() if FIELDS[k].default != v}
    assert differ == {}
