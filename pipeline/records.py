"""One way for stage records to become JSON-able dicts and back.

A record is a frozen dataclass that inherits :class:`JsonRecord`. Writing
takes its fields in declaration order: enums become their values, nested
records their dicts, tuples lists. Reading converts each key back to the
field's declared type (``int``, ``float``, ``bool``, enums, records, tuples,
``X | None``). Two field options tune it, both given with :func:`field`:

- ``round=n`` keeps ``n`` digits of every float in the field (coordinates are
  points to 2 decimals, scores to 4), so outputs and cache stay small and stable;
- ``missing=value`` is what a reader gives a field absent from the data
  (hand-written or older records), for fields that have no default.

The conversion plan of each class is worked out once from its type hints, so
writing a long corpus costs a loop over fields per record and no deep copy.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R", bound="JsonRecord")
_NO_VALUE = object()
Convert = Callable[[Any], Any]


def field(*, round: int | None = None, missing: Any = _NO_VALUE, **options: Any) -> Any:  # noqa: A002
    """A dataclass field with the options of this module (``round``, ``missing``)."""
    metadata = dict(options.pop("metadata", {}))
    if round is not None:
        metadata["round"] = round
    if missing is not _NO_VALUE:
        metadata["missing"] = missing
    return dataclasses.field(metadata=metadata, **options)


def _is_record(tp: Any) -> bool:
    return isinstance(tp, type) and dataclasses.is_dataclass(tp) and issubclass(tp, JsonRecord)


def _optional_inner(tp: Any) -> Any:
    """``X`` for ``X | None``, else None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        inner = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if len(inner) == 1 and len(typing.get_args(tp)) == 2:
            return inner[0]
        raise TypeError(f"records support X | None unions only, got {tp!r}")
    return None


def _tuple_items(tp: Any) -> tuple[Any, ...] | None:
    """The item types of ``tuple[X, ...]`` (one, with Ellipsis) or ``tuple[X, Y]``; None when not a tuple."""
    if typing.get_origin(tp) is not tuple:
        return None
    return typing.get_args(tp)


def _writer(tp: Any, digits: int | None) -> Convert | None:
    """How to write a value of type ``tp``; None when the value is written as it is."""
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return lambda value: value.value
    if _is_record(tp):
        return lambda value: value.to_dict()
    inner = _optional_inner(tp)
    if inner is not None:
        write = _writer(inner, digits)
        return None if write is None else (lambda value: None if value is None else write(value))
    items = _tuple_items(tp)
    if items is not None:
        if len(items) == 2 and items[1] is Ellipsis:
            write_item = _writer(items[0], digits) or (lambda value: value)
            return lambda value: [write_item(item) for item in value]
        writes = [_writer(item, digits) or (lambda value: value) for item in items]
        return lambda value: [write(item) for write, item in zip(writes, value)]
    if tp is float and digits is not None:
        return lambda value: round(value, digits)
    return None


def _reader(tp: Any) -> Convert:
    """How to read a JSON value back as type ``tp``."""
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if _is_record(tp):
        return tp.from_dict
    inner = _optional_inner(tp)
    if inner is not None:
        read = _reader(inner)
        return lambda value: None if value is None else read(value)
    items = _tuple_items(tp)
    if items is not None:
        if len(items) == 2 and items[1] is Ellipsis:
            read_item = _reader(items[0])
            return lambda value: tuple(read_item(item) for item in value)
        reads = [_reader(item) for item in items]
        return lambda value: tuple(read(item) for read, item in zip(reads, value))
    if tp in (int, float, bool):
        return tp
    return lambda value: value  # str and anything JSON already gives as it is


class _Plan(typing.NamedTuple):
    writes: tuple[tuple[str, Convert | None], ...]
    reads: tuple[tuple[str, Convert, Any], ...]  # name, reader, value when missing (_NO_VALUE: required)


_PLANS: dict[type, _Plan] = {}
_DEFAULT = object()  # the field's own dataclass default applies


def _plan(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls)
        writes, reads = [], []
        for spec in dataclasses.fields(cls):
            tp = hints[spec.name]
            writes.append((spec.name, _writer(tp, spec.metadata.get("round"))))
            if "missing" in spec.metadata:
                missing = spec.metadata["missing"]
            elif spec.default is not dataclasses.MISSING or spec.default_factory is not dataclasses.MISSING:
                missing = _DEFAULT
            else:
                missing = _NO_VALUE
            reads.append((spec.name, _reader(tp), missing))
        plan = _PLANS[cls] = _Plan(tuple(writes), tuple(reads))
    return plan



class JsonRecord:
    """Base of the stage records: ``to_dict`` and ``from_dict`` by the fields (see the module doc)."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        data = {}
        for name, write in _plan(type(self)).writes:
            value = getattr(self, name)
            data[name] = value if write is None else write(value)
        return data

    @classmethod
    def from_dict(cls: type[R], data: dict[str, Any]) -> R:
        values = {}
        for name, read, missing in _plan(cls).reads:
            if name in data:
                values[name] = read(data[name])
            elif missing is _NO_VALUE:
                raise KeyError(
                    f"a {cls.__name__} record needs the key {name!r}; got keys {', '.join(sorted(data)) or 'none'}. "
                    "Records are written by to_dict (documents/*.json, recommendations.jsonl, the cache)"
                )
            elif missing is not _DEFAULT:
                values[name] = missing
        return cls(**values)
