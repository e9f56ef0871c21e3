"""The settings object: every field described, presets that name only real settings, and the
default preset equal to the defaults it spells out (so it cannot drift from the code)."""

from __future__ import annotations

import pytest
import yaml

from kernwijzer.config import PRESETS_DIR, Settings


def test_every_setting_has_a_description():
    missing = [name for name, f in Settings.model_fields.items() if not f.description]
    assert missing == []


@pytest.mark.parametrize("preset", sorted(p.name for p in PRESETS_DIR.glob("*.yaml")))
def test_every_preset_names_only_known_settings(preset):
    values = yaml.safe_load((PRESETS_DIR / preset).read_text(encoding="utf-8"))
    assert isinstance(values, dict) and values
    assert set(values) <= set(Settings.model_fields)
    Settings.model_validate(values)  # and valid values


def test_the_default_preset_is_the_defaults():
    values = yaml.safe_load((PRESETS_DIR / "default.yaml").read_text(encoding="utf-8"))
    differ = {k: v for k, v in values.items() if Settings.model_fields[k].default != v}
    assert differ == {}
