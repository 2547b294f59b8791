"""Input models for raw application fields and history rows, typed from ``scoring.schema``.

The models are built once per bundle (categorical fields only accept the levels
the model was trained on) with pydantic, so one validation pass reports every
problem: unknown fields, wrong types, out-of-range values, unknown levels.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictInt,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError

from scoring import schema

DAYS_100_YEARS = -36525
DAYS_18_YEARS = -6574
MAX_HISTORY_ROWS = 10_000

#: Inclusive bounds of numeric application fields (None = unbounded on that side).
_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "CNT_CHILDREN": (0, 20),
    "AMT_INCOME_TOTAL": (1, 1e9),
    "AMT_CREDIT": (1, 1e9),
    "AMT_ANNUITY": (1, 1e8),
    "AMT_GOODS_PRICE": (0, 1e9),
    "REGION_POPULATION_RELATIVE": (0, 1),
    "DAYS_BIRTH": (DAYS_100_YEARS, DAYS_18_YEARS),
    "DAYS_REGISTRATION": (DAYS_100_YEARS, 0),
    "DAYS_ID_PUBLISH": (DAYS_100_YEARS, 0),
    "DAYS_LAST_PHONE_CHANGE": (DAYS_100_YEARS, 0),
    "OWN_CAR_AGE": (0, 100),
    "CNT_FAM_MEMBERS": (1, 30),
    "REGION_RATING_CLIENT": (1, 3),
    "REGION_RATING_CLIENT_W_CITY": (1, 3),
    "HOUR_APPR_PROCESS_START": (0, 23),
}


def bounds(name: str) -> tuple[float | None, float | None]:
    """Accepted range of a numeric application field."""
    if name in _BOUNDS:
        return _BOUNDS[name]
    if name.startswith("FLAG_") or "_NOT_" in name:
        return (0, 1)
    if name.startswith("EXT_SOURCE_") or name.endswith(("_AVG", "_MODE", "_MEDI")):
        return (0, 1)
    if name.endswith("_SOCIAL_CIRCLE") or name.startswith("AMT_REQ_CREDIT_BUREAU_"):
        return (0, 1000)
    return (None, None)


def _days_employed(value: float) -> float:
    if value != schema.DAYS_EMPLOYED_SENTINEL and not DAYS_100_YEARS <= value <= 0:
        raise ValueError(f"must lie between {DAYS_100_YEARS} and 0 (days before the application), "
                         f"or be {schema.DAYS_EMPLOYED_SENTINEL} (not employed)")
    return value


#: Magnitude limit of any number without a tighter bound (Kaggle's largest amounts are below 1e9):
#: features are float32, so a value like 1e300 would otherwise become infinite on the way in.
MAX_MAGNITUDE = 1e12


def _numeric(name: str, kind: str, bounded: bool = True) -> Any:
    low, high = bounds(name) if bounded and name != "DAYS_EMPLOYED" else (None, None)
    low = -MAX_MAGNITUDE if low is None else low
    high = MAX_MAGNITUDE if high is None else high
    # whole numbers through pydantic-core's own multiple_of (a Python validator per field costs more
    # than the rest of the record's validation); errors.problems_from words it "must be a whole number"
    whole = 1 if kind in ("int", "id", "target") else None
    parts: list[Any] = [Strict(), Field(ge=low, le=high, allow_inf_nan=False, multiple_of=whole)]
    if bounded and name == "DAYS_EMPLOYED":
        parts.append(AfterValidator(_days_employed))
    return Annotated[float, *parts]


def _categorical(levels: list[str] | None) -> Any:
    if levels:
        return Literal[tuple(levels)]
    return Annotated[str, Strict(), Field(min_length=1, max_length=200)]


_CONFIG = ConfigDict(extra="forbid", allow_inf_nan=False, hide_input_in_errors=False)
_ADAPTER_CONFIG = ConfigDict(allow_inf_nan=False, hide_input_in_errors=False)
#: One example body per request model: the OpenAPI document shows it and schemathesis sends it.
_EXAMPLE_APPLICATION = {"AMT_INCOME_TOTAL": 180000.0, "AMT_CREDIT": 500000.0, "AMT_ANNUITY": 25000.0,
                        "AMT_GOODS_PRICE": 450000.0, "DAYS_BIRTH": -12000, "DAYS_EMPLOYED": -2500}
EXAMPLES = {
    "PredictRequest": {"application": _EXAMPLE_APPLICATION, "explain": True},
    "SimulateRequest": {"changes": {"AMT_CREDIT": 400000.0}},
    "BatchRequest": {"records": [_EXAMPLE_APPLICATION]},
    "BatchColumns": {"columns": {"AMT_CREDIT": [500000.0, 250000.0], "DAYS_BIRTH": [-12000, -15000],
                                 "EXT_SOURCE_2": [0.61, None]}},
}


def _config(name: str) -> ConfigDict:
    return ConfigDict(**_CONFIG, json_schema_extra={"examples": [EXAMPLES[name]]})


#: Levels of categorical columns that are not model features (a protected attribute is kept only to
#: measure fairness) and so have no levels in the bundle: still checked, never silently accepted.
FIXED_LEVELS = {"CODE_GENDER": ["F", "M", "XNA"]}


def application_model(levels: Mapping[str, list[str]], name: str = "Application") -> type[BaseModel]:
    """Every application column optional (missing = unknown), typed and bounded."""
    fields: dict[str, Any] = {"SK_ID_CURR": (StrictInt | None, Field(None, description="optional identifier"))}
    for column, kind in schema.TABLES["application_test"]:
        if kind == "id":
            continue
        annotation = (_categorical(levels.get(column) or FIXED_LEVELS.get(column)) if kind == "cat"
                      else _numeric(column, kind))
        low, high = bounds(column) if kind != "cat" else (None, None)
        description = f"{kind}" + (f", {low:g} to {high:g}" if low is not None and high is not None else "")
        fields[column] = (annotation | None, Field(None, description=description))
    return create_model(name, __config__=_CONFIG, **fields)


def history_row_model(table: str) -> type[BaseModel]:
    """One row of a history table: schema columns only, types checked, ids optional."""
    fields: dict[str, Any] = {}
    for column, kind in schema.TABLES[table]:
        if kind == "id":
            annotation: Any = StrictInt
        elif kind == "cat":
            annotation = Annotated[str, Strict(), Field(max_length=200)]
        else:
            annotation = _numeric(column, "int" if kind == "int" else "float", bounded=False)
        required = table == "bureau_balance" and column == "SK_ID_BUREAU"
        fields[column] = (annotation, ...) if required else (annotation | None, None)
    return create_model(f"{table}_row", __config__=_CONFIG, **fields)


HISTORY_TABLES = tuple(t for t in schema.TABLE_NAMES if t not in ("application_train", "application_test"))


def history_model() -> type[BaseModel]:
    fields = {
        table: (list[history_row_model(table)] | None, Field(None, max_length=MAX_HISTORY_ROWS))  # type: ignore[misc]
        for table in HISTORY_TABLES
    }
    return create_model("History", __config__=_CONFIG, **fields)


#: The three forms of a batch: exactly one key of the body.
BATCH_FORMS = ("ids", "records", "columns")


def _absent_not_null(schema: dict[str, Any], examples: list[dict[str, Any]]) -> None:
    """A key is absent or of its type, never null: no ``default: null`` in the schema; its examples."""
    for prop in schema["properties"].values():
        prop.pop("default", None)
    schema["examples"] = examples


def _one_batch_form(schema: dict[str, Any]) -> None:
    _absent_not_null(schema, [EXAMPLES["BatchRequest"], EXAMPLES["BatchColumns"]])
    schema["oneOf"] = [{"required": [form]} for form in BATCH_FORMS]


#: Most ids, records or rows in one batch.
MAX_BATCH = 10_000


def _column_lengths(value: Any) -> str | None:
    """What is wrong with the shape of a columnar batch (None: nothing)."""
    if not isinstance(value, dict):
        return None
    lengths = {name: len(values) for name, values in value.items() if isinstance(values, list)}
    if not value:
        return "give at least one column"
    if len(set(lengths.values())) > 1:
        counts = ", ".join(f"{name} {n}" for name, n in sorted(lengths.items(), key=lambda kv: (-kv[1], kv[0])))
        return f"every column must hold one value per application (null if unknown); values per column: {counts}"
    return None


class _Columns(BaseModel):
    """Applications given as one list per field; every problem listed, the shape's included."""

    model_config = ConfigDict(**_CONFIG, json_schema_extra=lambda schema: _absent_not_null(
        schema, [EXAMPLES["BatchColumns"]["columns"]]))

    @model_validator(mode="wrap")
    @classmethod
    def _same_length(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        problem = _column_lengths(value)
        try:
            validated = handler(value)
        except ValidationError as exc:
            if problem is None:
                raise
            details = [{"type": e["type"], "loc": e["loc"], "input": e["input"], **({"ctx": e["ctx"]} if "ctx" in e else {})}
                       for e in exc.errors(include_url=False)]
            raise ValidationError.from_exception_data(exc.title, [
                *details, {"type": PydanticCustomError("column_lengths", problem), "loc": (), "input": value}]) from None
        if problem is not None:
            raise PydanticCustomError("column_lengths", problem)
        return validated


def columns_model(application: type[BaseModel]) -> type[BaseModel]:
    """The application fields as columns: each field a list of its values (null = unknown), all of one length."""
    fields = {name: (list[field.annotation],  # type: ignore[name-defined]
                     Field(None, min_length=1, max_length=MAX_BATCH, description=field.description))
              for name, field in application.model_fields.items()}
    return create_model("ApplicationColumns", __base__=_Columns, __doc__=(
        "Applications as one list per field, the k-th value of every list belonging to the k-th application: "
        "every list holds as many values (null where unknown), at most 10,000, and a field not sent is unknown "
        "for all of them."), **fields)


def _objects_as_they_are(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """A list of at most :data:`MAX_BATCH` JSON objects is kept as it is: the records are validated field
    by field by :class:`RecordsValidator`; copying 10,000 dicts here cost as much as scoring them.
    Anything else goes through pydantic's own validation (the field's ``max_length`` included, which this
    shortcut would otherwise skip): every problem listed."""
    if value.__class__ is list and len(value) <= MAX_BATCH and all(item.__class__ is dict for item in value):
        return value
    return handler(value)


_Records = Annotated[list[dict[str, Any]], WrapValidator(_objects_as_they_are)]


class InputModels:
    """The request models of one bundle (categorical levels differ between bundles)."""

    def __init__(self, levels: Mapping[str, list[str]]):
        self.application = application_model(levels)
        self.records = RecordsValidator(self.application)
        self.history = history_model()
        self.predict = create_model(
            "PredictRequest", __config__=_config("PredictRequest"),
            application=(self.application, Field(..., description="raw application fields, any subset")),
            history=(self.history | None, Field(None, description="history rows per Kaggle table")),
            top=(int, Field(5, ge=1, le=50, description="number of contributions in the explanation")),
            counterfactual=(bool, Field(False, description="also search the smallest change that approves")),
            explain=(bool, Field(True, description="include the explanation (top reasons from SHAP values); "
                                                   "false answers faster with explanation null")),
        )
        self.simulate = create_model(
            "SimulateRequest", __config__=_config("SimulateRequest"),
            changes=(self.application, Field(..., description="only the application fields that change "
                                                              "(null: the value becomes unknown)")),
        )
        self.columns = columns_model(self.application)
        # exactly one of the three keys, never null: the schema says so (oneOf), the route checks it (422)
        self.batch = create_model(
            "BatchRequest", __config__=ConfigDict(**_CONFIG, json_schema_extra=_one_batch_form),
            ids=(list[StrictInt], Field(None, max_length=MAX_BATCH)),  # type: ignore[arg-type]
            records=(_Records, Field(  # type: ignore[arg-type]
                None, max_length=MAX_BATCH, description="applications as in POST /predict, validated one by one: "
                "an invalid one gets its problems in its result item, the others are scored")),
            columns=(self.columns, Field(None, description="applications as one list per field (the same fields "
                     "as in POST /predict, null where unknown), every list of the same length: the compact form for "
                     "large batches; validated as a whole, so one invalid value refuses the batch with every problem "
                     "listed (422)")),
        )


class RecordsValidator:
    """Validation of many application records at once, column by column, with the very field
    types of the application model (``model``): one pydantic ``TypeAdapter`` per field validates
    that field's values for every record in one call, and unknown fields are found with one set
    difference. About half the cost of one ``model_validate`` per record, on real records.

    A record with any problem is then validated alone by ``model`` itself, so its list of
    problems is exactly the one ``POST /predict`` gives for it (every problem, same wording).
    """

    def __init__(self, model: type[BaseModel]):
        self.model = model
        self.allowed = frozenset(model.model_fields)
        self.adapters = {name: TypeAdapter(list[field.annotation], config=_ADAPTER_CONFIG)
                         for name, field in model.model_fields.items()}

    @staticmethod
    def _columns(records: list[dict[str, Any]], names: set[str], skip_unknown: set[int]) -> dict[str, list]:
        """One list of values per field (None where absent), filled record by record: each dict is
        visited once (six times faster than one pass over the records per field)."""
        columns: dict[str, list] = {name: [None] * len(records) for name in names}
        for k, record in enumerate(records):
            if k in skip_unknown:
                for name, value in record.items():
                    if name in columns:
                        columns[name][k] = value
            else:
                for name, value in record.items():
                    columns[name][k] = value
        return columns

    def validate(self, records: list[dict[str, Any]]) -> tuple[dict[str, list], list[int], dict[int, ValidationError]]:
        """``(columns, kept, errors)``: the validated values of the valid records as one list per field
        present (None = missing), their positions in ``records``, and the error of each invalid one."""
        present = set().union(*records) if records else set()
        bad: set[int] = set()
        if not present <= self.allowed:
            bad.update(k for k, r in enumerate(records) if not r.keys() <= self.allowed)
        raw = self._columns(records, present & self.allowed, bad)
        columns: dict[str, list] = {}
        for name, values in raw.items():
            try:
                columns[name] = self.adapters[name].validate_python(values)
            except ValidationError as exc:
                bad.update(int(e["loc"][0]) for e in exc.errors(include_url=False))
        if not bad:
            return columns, list(range(len(records))), {}
        kept = [k for k in range(len(records)) if k not in bad]
        columns = {name: self.adapters[name].validate_python([values[k] for k in kept]) for name, values in raw.items()}
        errors: dict[int, ValidationError] = {}
        for k in sorted(bad):
            try:
                self.model.model_validate(records[k])
            except ValidationError as exc:
                errors[k] = exc
            else:  # the columns and the model disagree: never accept silently
                raise AssertionError(f"record {k} fails a field check but passes the model")
        return columns, kept, errors
