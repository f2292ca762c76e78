"""sameas.normalize (mirrors crates/python/src/normalize.rs)."""

import pytest

import sameas
from sameas import normalize


def test_phone() -> None:
    phone = normalize.phone("138-0013-8000", region="CN")
    assert phone["value"] == "+8613800138000"
    assert phone["keys"]["e164"] == "+8613800138000" and phone["issues"] == []
    assert normalize.phone("１３８００１３８０００")["value"] == "+8613800138000"
    assert normalize.phone("(702) 919-1300", region="US")["value"] == "+17029191300"
    masked = normalize.phone("138****8000")
    assert any(i["kind"] == "masked" for i in masked["issues"])
    assert normalize.phone("")["value"] is None
    with pytest.raises(sameas.NormalizeError):
        normalize.phone("138", region="XX")


def test_names_and_text() -> None:
    name = normalize.name("張偉")
    assert name["value"] == "张伟" and name["keys"]["pinyin"] == "zhang wei"
    assert normalize.name("SMITH, Robert")["keys"]["nickname"] == "robert"
    assert normalize.simplified("廣東省") == "广东省"
    assert normalize.text("  a   b ") == "a b" and normalize.text("   ") is None


def test_email_dates_ids() -> None:
    assert normalize.email("Bob.Smith+shop@Gmail.com")["keys"]["canonical"] == "bobsmith@gmail.com"
    assert normalize.date("1990/1/2")["value"] == "1990-01-02"
    assert normalize.date("01/02/1990", day_first=True)["value"] == "1990-02-01"
    assert normalize.birth_date("1990年1月2日")["value"] == "1990-01-02"
    nid = normalize.national_id("440305199001021235")
    assert nid["value"] == "440305199001021235" and nid["keys"]["birth_date"] == "1990-01-02"
    assert normalize.national_id("440305199001021234")["value"] is None
    assert normalize.gender("男")["value"] == "M"
    assert normalize.identifier("m-00 12")["value"] == "M0012"
    address = normalize.address("广东省深圳市南山区科技园路1号")
    assert address["keys"]["district"] == "南山区"


def test_masks() -> None:
    assert normalize.mask_phone("13800138000") == "138****8000"
    assert normalize.mask_name("张伟") == "张*"
    assert normalize.mask_email("bob@gmail.com").endswith("@gmail.com")
    assert normalize.mask_national_id("440305199001021235") == "440305********1235"
    assert normalize.mask("phone", "13800138000") == "138****8000"
    with pytest.raises(ValueError):
        normalize.mask("shoe_size", "42")
