"""Reconciliation's comparison of what a system holds with what landed: lost, backward edits, deletions."""

from __future__ import annotations

from datetime import datetime

from onestop.extract.reconcile import compare

T = datetime(2025, 6, 10, 9)
LATER = datetime(2025, 6, 12, 9)


def test_each_difference_is_named_and_what_agrees_is_not() -> None:
    held = {"same": T, "never_landed": T, "changed_later": LATER, "rewritten": T, "unreadable": T}
    landed = {"same": T, "changed_later": T, "rewritten": LATER, "gone": T, "unreadable": T, "set_aside": T}
    assert compare(held, landed, {"set_aside"}) == [
        ("lost", "changed_later", LATER, T),
        ("lost", "never_landed", T, None),
        ("backward_edit", "rewritten", T, LATER),
        ("deleted", "gone", None, T),
    ]


def test_nothing_differs_between_equal_sets() -> None:
    assert compare({"a": T}, {"a": T}) == []
    assert compare({}, {}) == []
