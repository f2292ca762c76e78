"""The examples in the package's docstrings."""

import doctest

import sameas
import sameas.normalize


def test_docstring_examples() -> None:
    for module in [sameas, sameas.normalize]:
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0, module.__name__


def test_every_public_name_is_documented() -> None:
    for name in sameas.__all__:
        if not name.startswith("_") and name != "ARROW":
            assert getattr(sameas, name).__doc__, name
    for name in sameas.normalize.__all__:
        assert getattr(sameas.normalize, name).__doc__, name
    for cls in [sameas.Resolver, sameas.Resolution]:
        for attr in dir(cls):
            if not attr.startswith("_"):
                assert getattr(cls, attr).__doc__, f"{cls.__name__}.{attr}"
