"""Validate stage: run each loaded document through its pydantic model.

Pydantic reports a path such as ``slots.3.start``; the loader recorded where
each path sits in the YAML file, so every error is turned into
``file:line:col: error: ...`` with a hint an organizer can act on.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from types import UnionType
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from generator.content.load import ContentFiles, SourceDocument
from generator.content.models import (
    RESERVED_IDS,
    Day,
    Event,
    Speaker,
    Talk,
    Venue,
    VenueFile,
    check_slug,
    slugify,
)
from generator.core.diagnostics import Diagnostics, did_you_mean
from generator.core.memory import gc_paused
from generator.simulation.config import FiguresFile, FigureSpec

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True)
class Located(Generic[T]):
    """A validated model with the document it came from, for errors in later stages."""

    id: str
    model: T
    source: SourceDocument


@dataclass(frozen=True)
class ValidatedContent:
    event: Located[Event] | None
    venues: list[Located[Venue]]
    days: list[Located[Day]]
    talks: list[Located[Talk]]
    speakers: list[Located[Speaker]]
    #: False when venues.yaml exists but is invalid: references to venues are then not checked
    venues_valid: bool = True
    figures: list[FigureSpec] = field(default_factory=list)
    #: content/figures.yaml as read, for the link stage's messages about the talks the figures name
    figures_source: SourceDocument | None = None


def _model_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class that owns the last key of ``loc``, for "did you mean" hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)) or part not in current.model_fields:
            return None
        current = _innermost_model(current.model_fields[part].annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _innermost_model(annotation: Any) -> Any:
    """Unwrap list[X], X | None and Annotated[X, ...] down to a model class."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _innermost_model(typing.get_args(annotation)[0])
    if origin in (list, tuple, set, typing.Union, UnionType):
        for argument in typing.get_args(annotation):
            found = _innermost_model(argument)
            if isinstance(found, type) and issubclass(found, BaseModel):
                return found
        return None
    return annotation


#: What a value of the wrong type must be, by pydantic error type, in an organizer's words.
_MUST_BE = {
    "string_type": "must be text",
    "int_type": "must be a whole number", "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number", "float_parsing": "must be a number",
    "bool_type": "must be true or false", "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "model_type": "must be a mapping of keys ('key: value' lines)",
    "model_attributes_type": "must be a mapping of keys ('key: value' lines)",
    "dict_type": "must be a mapping of keys ('key: value' lines)",
    "date_type": "must be a date written YYYY-MM-DD", "date_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_parsing": "must be a date written YYYY-MM-DD",
    "date_from_datetime_inexact": "must be a date written YYYY-MM-DD, without a time",
    "time_type": "must be a time written HH:MM", "time_parsing": "must be a time written HH:MM",
}


def _shown(value: Any) -> str:
    """A short description of the value that was given."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _describe(error: dict[str, Any], model: type[BaseModel]) -> tuple[str, str, bool]:
    """Message, hint, and whether the error points at a key rather than a value."""
    loc = tuple(error["loc"])
    kind = error["type"]
    field = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
    given = error.get("input")
    if kind == "extra_forbidden":
        owner = _model_at(model, loc[:-1])
        known = list(owner.model_fields) if owner else []
        return f"unknown key '{field}'", did_you_mean(field, known) if known else "remove it", True
    if kind == "missing":
        return f"missing required key '{field}'", f"add '{field}: ...' here", False
    hint = ""
    if kind in _MUST_BE:
        message = _MUST_BE[kind]
        hint = "the value after the colon is empty" if given is None else f"got {_shown(given)}"
        detail = error["msg"].split(", ", 1)[1] if ", " in error["msg"] and kind.startswith("date") else ""
        if detail:
            hint += f": {detail}"
        if kind == "string_type" and isinstance(given, (int, float, bool)):
            hint += f"; if it is text, put it in quotes: \"{given}\""
        if kind == "list_type":
            hint += "; write a list, e.g. [a, b] or one '- item' per line"
    elif kind == "enum":
        message = f"must be one of {error['ctx']['expected']}"
        choices = [choice.strip(" '") for choice in error["ctx"]["expected"].replace(" or ", ", ").split(",")]
        close = did_you_mean(str(given), choices)
        hint = f"got {_shown(given)}" + (f"; {close}" if close.startswith("did you mean") else "")
    elif kind == "string_pattern_mismatch":
        owner = _model_at(model, loc[:-1])
        described = owner.model_fields[field].description if owner and field in owner.model_fields else None
        message = f"'{given}' does not have the expected form"
        hint = described.split(";")[0].rstrip(".") if described else f"it must match {error['ctx']['pattern']}"
        hint = hint[:1].lower() + hint[1:]
    else:
        message = error["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        message = message[:1].lower() + message[1:]
    if field and (isinstance(loc[-1], str) or _model_at(model, loc) is None):  # about a field, not a whole mapping
        message = f"'{field}' {message}" if message.startswith("must ") else f"'{field}': {message}"
    return message, hint, False


def validate_document(document: SourceDocument, model: type[M], diagnostics: Diagnostics) -> M | None:
    """Validate one document; report each problem at its position; None if invalid."""
    if not isinstance(document.data, dict):
        line, column = document.position(())
        shape = "a list" if isinstance(document.data, list) else "a single value"
        diagnostics.error(document.path, line, column,
                          f"the file must hold a mapping of keys ('key: value' lines), not {shape}")
        return None
    try:
        return model.model_validate(document.data)
    except ValidationError as errors:
        for error in errors.errors(include_url=False):
            message, hint, at_key = _describe(error, model)
            line, column = document.position(tuple(error["loc"]), key=at_key)
            diagnostics.error(document.path, line, column, message, hint)
        return None


#: Validated models by (model name, file, digest of the file's bytes): see pipeline.BuildMemory.
Models = dict[tuple[str, str, str], Any]


def validate_content(files: ContentFiles, diagnostics: Diagnostics, known: Models | None = None,
                     remember: Models | None = None) -> ValidatedContent:
    """Validate every loaded file; ids of talks and speakers come from file names.

    A file whose model is in ``known`` (by its bytes' digest) is not validated
    again; every valid model is put in ``remember``.
    """
    with gc_paused():
        return _validate_content(files, diagnostics, Memo(known or {}, remember))


class Memo:
    """Validates a document, or hands back the model validated from the same bytes before; only valid
    models are remembered, so a file with errors is validated (and its errors reported) every time."""

    def __init__(self, known: Models, remember: Models | None):
        self.known, self.remember = known, remember

    def validate(self, document: SourceDocument, model: type[M], diagnostics: Diagnostics) -> M | None:
        if document.digest is None or self.remember is None:
            return validate_document(document, model, diagnostics)
        key = (model.__name__, str(document.path), document.digest)
        result = self.known.get(key)
        if result is None:
            result = validate_document(document, model, diagnostics)
        if result is not None:
            self.remember[key] = result
        return result


def _validate_content(files: ContentFiles, diagnostics: Diagnostics, memo: Memo) -> ValidatedContent:
    event = None
    if files.event is not None:
        model = memo.validate(files.event, Event, diagnostics)
        event = Located("event", model, files.event) if model else None

    venues: list[Located[Venue]] = []
    venues_valid = not files.venues_invalid
    if files.venues is not None:
        venue_file = memo.validate(files.venues, VenueFile, diagnostics)
        venues_valid = venue_file is not None
        if venue_file:
            venues = [Located(venue.id, venue, files.venues) for venue in venue_file.venues]

    def each(documents: list[SourceDocument], model: type[M]) -> list[Located[M]]:
        validated = []
        for document in documents:
            if _check_file_id(document, diagnostics):
                result = memo.validate(document, model, diagnostics)
                if result is not None:
                    validated.append(Located(document.path.stem, result, document))
        return validated

    days = [Located(str(day.model.date), day.model, day.source) for day in each(files.days, Day)]
    figures: list[FigureSpec] = []
    if files.figures is not None:
        figure_file = memo.validate(files.figures, FiguresFile, diagnostics)
        if figure_file is not None:
            figures = list(figure_file.figures)
            seen: set[str] = set()
            for index, spec in enumerate(figures):
                if spec.name in seen:
                    line, column = files.figures.position(("figures", index, "name"))
                    diagnostics.error(files.figures.path, line, column, f"duplicate figure name '{spec.name}'",
                                      "each figure needs its own name: it becomes figures/<name>.json")
                seen.add(spec.name)
    return ValidatedContent(event, venues, days, each(files.talks, Talk), each(files.speakers, Speaker), venues_valid,
                            figures, files.figures)


def _check_file_id(document: SourceDocument, diagnostics: Diagnostics) -> bool:
    """Talk and speaker ids are their file names, so those must be slugs too."""
    if document.path.parent.name == "program":
        return True
    try:
        check_slug(document.path.stem)
    except ValueError as error:
        kind = document.path.parent.name.rstrip("s")  # "talk" or "speaker"
        suggestion = slugify(document.path.stem)[:80].strip("-")
        if not suggestion or suggestion in RESERVED_IDS:
            suggestion = f"{suggestion or 'a'}-{kind}"
        diagnostics.error(document.path, 1, 1, f"bad file name: {error}",
                          f"rename it to {suggestion}.yaml")
        return False
    return True
