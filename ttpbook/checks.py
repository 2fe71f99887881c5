"""Answer checks for the tests inside the assignments: the only part of the grading code that a
student's notebook imports.

Each ``exact_*`` helper accepts only values of the expected built-in, numpy or pandas type and
returns them as plain Python values (or None), so an object whose ``==`` always returns True, or a
subclass of ``int`` that lies about equality, cannot pass a test. The module imports nothing
heavy and has no side effects: numpy is imported only when a numpy value is being checked.
"""

from __future__ import annotations

from typing import Any


def _numpy_kind(value: Any, kind: str) -> bool:
    cls = type(value)
    if cls.__module__ != "numpy":
        return False
    import numpy as np

    return issubclass(cls, getattr(np, kind))


def _finite(number: float) -> bool:
    return number == number and number not in (float("inf"), float("-inf"))


def exact_int(value: Any) -> int | None:
    """The value as a plain int if it is a whole number of a built-in or numpy type, else None.

    Accepts ``int``, numpy integers, and floats (built-in or numpy) with no fractional part.
    Rejects bool, strings, subclasses and any other object, whatever its ``__eq__`` says.
    """
    cls = type(value)
    if cls is int:
        return int.__int__(value)
    if _numpy_kind(value, "integer"):
        return int(value)
    if cls is float or _numpy_kind(value, "floating"):
        number = float(value)
        if _finite(number) and number.is_integer():
            return int(number)
    return None


def exact_float(value: Any) -> float | None:
    """The value as a plain float if it is a finite built-in or numpy number, else None."""
    cls = type(value)
    if cls is int:
        number = float(int.__int__(value))
    elif cls is float:
        number = float.__float__(value)
    elif _numpy_kind(value, "integer") or _numpy_kind(value, "floating"):
        number = float(value)
    else:
        return None
    return number if _finite(number) else None


def exact_str(value: Any) -> str | None:
    """The value as a plain str if it is a built-in or numpy string, else None."""
    cls = type(value)
    if cls is str:
        return str.__str__(value)
    if cls.__module__ == "numpy" and cls.__name__ == "str_":
        return str.__str__(value)
    return None


def _exact_pairs(value: Any) -> list[tuple[Any, Any]] | None:
    cls = type(value)
    if cls is dict:
        return list(dict.items(value))
    if cls.__module__.startswith("pandas") and cls.__name__ == "Series":
        return list(zip(list(value.index), list(value.to_numpy())))
    return None


def exact_counts(value: Any) -> dict[str, int] | None:
    """A {label: count} dict from a dict or a pandas Series (e.g. value_counts()), else None.

    Keys must be strings and counts whole numbers; zero counts are dropped.
    """
    pairs = _exact_pairs(value)
    if pairs is None:
        return None
    counts: dict[str, int] = {}
    for key, count in pairs:
        label, number = exact_str(key), exact_int(count)
        if label is None or number is None:
            return None
        if number:
            counts[label] = number
    return counts


def exact_labels(value: Any) -> dict[int, str] | None:
    """A {whole number: string} dict from a dict or a pandas Series, else None."""
    pairs = _exact_pairs(value)
    if pairs is None:
        return None
    labels: dict[int, str] = {}
    for key, label in pairs:
        number, text = exact_int(key), exact_str(label)
        if number is None or text is None:
            return None
        labels[number] = text
    return labels


def label_report(answer: dict[int, str], key: dict[int, str]) -> dict[str, Any]:
    """How many labels of ``answer`` match ``key``, and which attributed claims were called facts."""
    return {"right": sum(answer.get(i) == label for i, label in key.items()), "total": len(key),
            "claims_called_facts": [i for i, label in key.items()
                                    if label == "attributed claim" and answer.get(i) == "fact"]}


def exact_ints(value: Any) -> list[int] | None:
    """A sorted list of plain ints from a list, tuple, set, numpy array or pandas Series/Index."""
    cls = type(value)
    if cls in (list, tuple, set, frozenset):
        items = list(value)
    elif (cls.__module__ == "numpy" and cls.__name__ == "ndarray") or (
        cls.__module__.startswith("pandas") and cls.__name__ in ("Series", "Index")
    ):
        items = list(value.tolist())
    else:
        return None
    numbers = [exact_int(item) for item in items]
    if any(number is None for number in numbers):
        return None
    return sorted(numbers)
