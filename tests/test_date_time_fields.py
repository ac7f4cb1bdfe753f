"""Every date and time field refuses every other kind of YAML scalar with one located error.

Organizers type ``start: 9.40`` (a float to YAML), ``start: 9:40:00`` (a YAML 1.1
sexagesimal integer), ``date: yes`` or ``end: 2026-05-06 18:00`` (a timestamp). Each must
end ``symposium check`` with exit 1 and exactly one ``file:line:col: error:`` line that
points at the field, never a traceback (``start: 9.40`` once crashed the build comparing
naive and aware times).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_bad_content import error_lines, make_tree, run_check

#: (file, the line as the base tree has it, the field's name, is it a date (else a time of day)).
#: A slot's 'end' and 'end_date' are optional: null there rightly means "none".
FIELDS = [
    ("event.yaml", "start: 2026-05-05", "start", True),
    ("event.yaml", "end: 2026-05-06", "end", True),
    ("program/2026-05-05.yaml", "date: 2026-05-05", "date", True),
    ("program/2026-05-05.yaml", '  - start: "09:30"', "start", False),
    ("program/2026-05-05.yaml", '    end: "09:30"', "end", False),
    ("program/2026-05-05.yaml", '    end: "10:50"', "end_date", True),  # added after this line
]

#: YAML scalars of every type the loader resolves, as an organizer would type them.
SCALARS = st.one_of(
    st.integers(-10_000, 100_000_000).map(str),                                 # int
    st.sampled_from(["0x1F", "0o17", "1_000", "+12"]),                          # int, other notations
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),        # float
    st.sampled_from(["9.40", "10.5", "1e3", ".inf", "-.inf", ".nan", "0.0"]),  # float, as typed
    st.sampled_from(["true", "false", "True", "FALSE", "yes", "no", "on", "off"]),  # bool (1.1 and 1.2)
    st.dates().map(lambda day: day.isoformat()),                               # date
    st.datetimes().map(lambda moment: moment.isoformat(sep=" ", timespec="minutes")),  # datetime
    st.sampled_from(["2026-05-06T10:00:00Z", "2026-05-06 10:00:00+02:00"]),     # datetime, zoned
    st.sampled_from(["null", "~", "Null", ""]),                                 # null
    st.sampled_from(["9:40:00", "1:30:00", "190:20:30", "-9:40", "9:40"]),       # sexagesimal
)


def _of_the_fields_own_type(text: str, is_date: bool) -> bool:
    """A date for a date field, HH:MM for a time: other checks (day in range, order) judge those."""
    pattern = r"[0-9]{4}-[0-9]{2}-[0-9]{2}" if is_date else r"([01]?[0-9]|2[0-3]):[0-5][0-9]"
    return re.fullmatch(pattern, text) is not None


@settings(max_examples=150, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(FIELDS), value=SCALARS)
@example(field=FIELDS[3], value="9.40")
@example(field=FIELDS[0], value="20260505")
@example(field=FIELDS[2], value="2026-05-05 10:00")
def test_a_date_or_time_field_refuses_other_scalars_with_one_located_error(
        field: tuple[str, str, str, bool], value: str, tmp_path_factory: pytest.TempPathFactory,
        capsys: pytest.CaptureFixture[str]) -> None:
    relative, line, name, is_date = field
    if _of_the_fields_own_type(value, is_date):
        return
    if name in ("end", "end_date") and relative.startswith("program") and value in ("null", "~", "Null", ""):
        return
    if name == "end_date":
        replacement = f"{line}\n    end_date: {value}"
    else:
        replacement = f"{line.split(':')[0]}: {value}"
    content = make_tree(tmp_path_factory.mktemp("case"), {"name": "scalar", "replace": [[relative, line, replacement]]})
    line_number = next(number for number, text in enumerate(
        (content / relative).read_text(encoding="utf-8").splitlines(), 1) if text.lstrip("- ").startswith(f"{name}:")
        and text.split(":", 1)[1].strip() == value)

    code, output = run_check(content, capsys)

    assert code == 1, output
    assert "Traceback" not in output
    errors = error_lines(output)
    assert len(errors) == 1, output
    assert errors[0].startswith(f"content/{relative}:{line_number}:"), output
    assert f"'{name}'" in errors[0] or name == "date", output


def test_an_unquoted_decimal_time_is_an_error_with_a_hint(tmp_path: Path, capsys) -> None:
    content = make_tree(tmp_path, {"name": "decimal", "replace": [
        ["program/2026-05-05.yaml", '  - start: "09:30"', "  - start: 9.40"]]})
    code, output = run_check(content, capsys)
    assert code == 1
    assert error_lines(output) == [
        "content/program/2026-05-05.yaml:8:12: error: 'start': 9.4 (a decimal number) is not a time: "
        "write it as HH:MM in quotes, e.g. \"09:40\""], output
