"""Every cell of the transition table: forbidden pairs are refused, allowed ones need a role."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from cqs.core.errors import PermissionDenied, TransitionNotAllowed
from cqs.dossiers.models import Dossier
from cqs.dossiers.services import dossier_act
from cqs.dossiers.workflow import (
    ACTION_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    Action,
    Status,
    allowed_actions,
)

FORBIDDEN = [
    (s, a)
    for s, a in itertools.product(Status, Action)
    if (s, a) not in TRANSITIONS and a != Action.RECEIVE
]


@pytest.mark.parametrize(("status", "action"), FORBIDDEN, ids=str)
def test_forbidden_pairs_are_refused_and_change_nothing(
    receive: Any, demo: Any, status: Status, action: Action
) -> None:
    d = receive()
    Dossier.objects.filter(pk=d.pk).update(status=status)
    before = Dossier.objects.values().get(pk=d.pk)
    with pytest.raises(TransitionNotAllowed) as err:
        dossier_act(actor=demo.user("lanhdao"), code=d.code, action=action, reason="x")
    assert ACTION_LABELS[action] in err.value.message
    assert STATUS_LABELS[status] in err.value.message
    assert Dossier.objects.values().get(pk=d.pk) == before
    assert d.events.count() == 1


@pytest.mark.parametrize(("status", "action"), list(TRANSITIONS), ids=str)
def test_allowed_pairs_refuse_a_citizen_without_the_dossier(
    receive: Any, demo: Any, status: Status, action: Action
) -> None:
    d = receive()
    Dossier.objects.filter(pk=d.pk).update(status=status)
    with pytest.raises(PermissionDenied):
        dossier_act(actor=demo.user("doanhnghiep"), code=d.code, action=action, reason="x")
    assert Dossier.objects.get(pk=d.pk).version == d.version


def test_final_states_allow_nothing() -> None:
    for status in (Status.RETURNED, Status.REJECTED, Status.WITHDRAWN):
        assert allowed_actions(status) == []


def test_receive_is_not_an_action(receive: Any, demo: Any) -> None:
    d = receive()
    with pytest.raises(TransitionNotAllowed):
        dossier_act(actor=demo.user("tiepnhan"), code=d.code, action="receive")
