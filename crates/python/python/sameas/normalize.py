"""One value at a time: each normalizer and masker.

Each normalizer returns a dict: ``value`` (the normalized text, or ``None`` when the value
is missing or cannot be read), ``keys`` (the derived match keys, such as ``e164`` for a
phone or ``pinyin`` for a name) and ``issues`` (each a ``kind`` and a fixed ``reason``).

>>> from sameas import normalize
>>> normalize.phone("138-0013-8000", region="CN")["value"]
'+8613800138000'
>>> normalize.mask_phone("13800138000")
'138****8000'
"""

from sameas._sameas import mask as mask
from sameas._sameas import mask_email as mask_email
from sameas._sameas import mask_name as mask_name
from sameas._sameas import mask_national_id as mask_national_id
from sameas._sameas import mask_phone as mask_phone
from sameas._sameas import normalize_address as address
from sameas._sameas import normalize_birth_date as birth_date
from sameas._sameas import normalize_date as date
from sameas._sameas import normalize_email as email
from sameas._sameas import normalize_gender as gender
from sameas._sameas import normalize_identifier as identifier
from sameas._sameas import normalize_name as name
from sameas._sameas import normalize_national_id as national_id
from sameas._sameas import normalize_phone as phone
from sameas._sameas import normalize_text as text
from sameas._sameas import to_simplified as simplified

__all__ = [
    "address",
    "birth_date",
    "date",
    "email",
    "gender",
    "identifier",
    "mask",
    "mask_email",
    "mask_name",
    "mask_national_id",
    "mask_phone",
    "name",
    "national_id",
    "phone",
    "simplified",
    "text",
]
