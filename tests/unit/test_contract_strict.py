"""The response models forbid what the contract does not declare, on both sides of the wire: the service
cannot send an undeclared key (validation error) and the dashboard cannot read one (AttributeError)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from scoring import contract
from scoring.contract_decisions import DecisionsOut
from scoring.monitoring.contract import DriftSummary, MonitoringSummary

BAND = {"decision": "review", "band": "orange", "low": 45.0, "high": 55.0}


def test_an_undeclared_key_in_an_answer_is_rejected():
    contract.BandItem.model_validate(BAND)
    with pytest.raises(ValidationError, match="extra"):
        contract.BandItem.model_validate({**BAND, "colour": "orange"})


def test_reading_an_undeclared_field_raises():
    band = contract.BandItem.model_validate(BAND)
    with pytest.raises(AttributeError):
        band.colour  # noqa: B018 - the read itself is what must fail


@pytest.mark.parametrize("model", [m for m in (getattr(contract, n) for n in contract.__all__)
                                   if isinstance(m, type) and issubclass(m, contract.Out)]
                         + [DecisionsOut, MonitoringSummary])
def test_every_answer_model_forbids_extra_keys(model):
    assert model.model_config.get("extra") == "forbid", model.__name__


def test_the_drift_file_may_carry_more_than_the_service_passes_on():
    """drift_summary.json is written by the offline report with more keys than the service reads."""
    assert DriftSummary.model_config.get("extra") == "ignore"


def test_every_answer_model_is_exported():
    """``from scoring.contract import X`` works for every model of the module (its ``__all__`` is complete)."""
    from pydantic import BaseModel

    from scoring.contract import responses

    models = {n for n, v in vars(responses).items()
              if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == responses.__name__}
    assert models <= set(responses.__all__)
