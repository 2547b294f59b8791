"""The typed contract of the product, pydantic only: the bundle's metadata
(written by training, read by the service, the model card and the reports) and
the service's answers (returned by the routes, parsed by the dashboard)."""

from scoring.contract.metadata import (
    BundleMetadata,
    Costs,
    FeatureEntry,
    ImportanceEntry,
    MetadataError,
    parse_metadata,
)
from scoring.contract.responses import *  # noqa: F403
from scoring.contract.responses import __all__ as _responses

__all__ = ["BundleMetadata", "Costs", "FeatureEntry", "ImportanceEntry", "MetadataError", "parse_metadata",
           *_responses]
