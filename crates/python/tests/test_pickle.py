"""Pickling and the JSON configuration (mirrors the facade's snapshot)."""

import copy
import csv
import pickle

import sameas
from conftest import CUSTOMERS_CSV


def rows() -> list[dict[str, str]]:
    with open(CUSTOMERS_CSV, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_an_empty_resolver_pickles() -> None:
    again = pickle.loads(pickle.dumps(sameas.Resolver()))
    assert repr(again) == "Resolver(fitted=False, records=0, entities=0)"


def test_an_untrained_config_pickles() -> None:
    resolver = sameas.Resolver()
    resolver.resolve(CUSTOMERS_CSV)
    config = resolver.config
    assert config is not None
    config["matching"]["model"] = None
    unfitted = sameas.Resolver(config)
    again = pickle.loads(pickle.dumps(unfitted))
    assert not again.fitted and again.config == unfitted.config


def test_a_resolved_resolver_adds_and_removes_as_the_original() -> None:
    data = rows()
    original = sameas.Resolver()
    original.resolve(data[:24])
    for again in [pickle.loads(pickle.dumps(original)), copy.deepcopy(original)]:
        assert repr(again) == repr(original)
        assert again.to_json() == original.to_json()
    restored = pickle.loads(pickle.dumps(original))
    assert restored.add(data[24:]).to_pylist() == original.add(data[24:]).to_pylist()
    for row in data:
        assert restored.entity_of(row["record_id"]) == original.entity_of(row["record_id"])
    assert restored.remove(["C0002", "C0018"]).equals(original.remove(["C0002", "C0018"]))
    assert restored.explain_entity("E00000001") == original.explain_entity("E00000001")


def test_a_fitted_resolver_keeps_its_frequencies() -> None:
    data = rows()
    original = sameas.Resolver()
    original.fit(data)
    restored = pickle.loads(pickle.dumps(original))
    assert restored.fitted and len(restored) == 0
    assert restored.add(data).equals(original.add(data))
