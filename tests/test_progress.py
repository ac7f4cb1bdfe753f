"""Progress bars draw on a terminal and vanish in logs."""

from __future__ import annotations

import io

from generator.build.progress import bar, is_interactive, status_reporter, track


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_is_drawn_when_stderr_is_not_a_terminal():
    log = io.StringIO()
    assert list(track(range(5), "simulating", stream=log)) == [0, 1, 2, 3, 4]
    with bar("figures", total=3, stream=log) as advance:
        advance(3)
    assert log.getvalue() == "" and not is_interactive(log)


def test_a_bar_is_drawn_on_a_terminal_and_cleared_at_the_end():
    terminal = FakeTerminal()
    assert list(track(range(3), "simulating", stream=terminal)) == [0, 1, 2]
    output = terminal.getvalue()
    assert "simulating" in output and "/3" in output
    assert output.endswith("\r") and output.rsplit("\r", 2)[-2].strip() == ""  # the line is blanked at the end


def test_status_messages_are_plain_lines_in_a_log():
    log = io.StringIO()
    say = status_reporter(log)
    say("computing live figures")
    say("writing")
    assert log.getvalue() == "computing live figures\nwriting\n"


def test_status_messages_share_one_line_on_a_terminal():
    terminal = FakeTerminal()
    say = status_reporter(terminal)
    say("computing live figures")
    say("writing")
    say.close()
    output = terminal.getvalue()
    assert "computing live figures" in output and "writing" in output and "\n" not in output.strip("\n")
