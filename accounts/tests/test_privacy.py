"""ID and phone numbers: validation, sealing, masks, keyed hashes, key rotation."""

import pytest
from cryptography.fernet import Fernet

from gongjian import privacy
from gongjian.privacy import InvalidNumber


@pytest.mark.parametrize("number", ["11010519491231002X", "350802199001011236", "440524188001010014"])
def test_valid_id_numbers(number):
    assert privacy.normalize_id_number(number.lower()) == number


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("350802199001011237", "check digit"),
        ("35080219900101123", "17 digits"),
        ("35080219900230123" + privacy.id_check_char("35080219900230123"), "birth date"),
        ("", "17 digits"),
    ],
)
def test_invalid_id_numbers(number, reason):
    with pytest.raises(InvalidNumber, match=reason):
        privacy.normalize_id_number(number)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("8613812345678", "13812345678")],
)
def test_phones(raw, expected):
    assert privacy.normalize_phone(raw) == expected


@pytest.mark.parametrize("raw", ["1381234567", "12812345678", "abc", ""])
def test_bad_phones(raw):
    with pytest.raises(InvalidNumber):
        privacy.normalize_phone(raw)


def test_masks():
    assert privacy.mask_id_number("350802199001011236") == "350802********1236"
    assert privacy.mask_phone("13812345678") == "138****5678"
    sealed = privacy.seal("id_number", "350802199001011236")
    assert privacy.mask_from_hint("id_number", sealed.hint) == "350802********1236"
    assert privacy.mask_from_hint("phone", privacy.seal("phone", "13812345678").hint) == "138****5678"


def test_seal_round_trip_and_hash_namespaces():
    sealed = privacy.seal("phone", "13812345678")
    assert "13812345678" not in sealed.cipher
    assert privacy.decrypt(sealed.cipher) == "13812345678"
    assert sealed.hash == privacy.keyed_hash("phone", "13812345678")
    assert sealed.hash != privacy.keyed_hash("id_number", "13812345678")


def test_key_rotation_reads_old_ciphertext(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    token = privacy.encrypt("13812345678")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    privacy._fernet.cache_clear()
    try:
        assert privacy.decrypt(token) == "13812345678"
    finally:
        settings.FIELD_ENCRYPTION_KEYS = [old_key]
        privacy._fernet.cache_clear()


def test_wrong_key_fails_loudly(settings):
    token = privacy.encrypt("13812345678")
    old = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    privacy._fernet.cache_clear()
    try:
        with pytest.raises(ValueError, match="cannot decrypt"):
            privacy.decrypt(token)
    finally:
        settings.FIELD_ENCRYPTION_KEYS = old
        privacy._fernet.cache_clear()
