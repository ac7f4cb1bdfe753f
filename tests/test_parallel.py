"""parallel.ForkedCall: a build step computed in a forked child, its value or its failure handed back."""

from __future__ import annotations

import os

import pytest

from generator.build.parallel import ForkedCall

#: JAX, when other tests have loaded it into this process, warns on every fork; these children never touch it.
pytestmark = pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning")


def twice(value: int) -> int:
    return 2 * value


def refuse(value: int) -> int:
    raise ValueError(f"no {value}")


def die(value: int) -> int:
    os._exit(3)


@pytest.mark.parametrize("inline", [False, True], ids=["forked", "inline"])
def test_the_value_comes_back(inline: bool) -> None:
    call = ForkedCall(twice, 21, inline=inline)
    assert call.result() == 42


@pytest.mark.parametrize("inline", [False, True], ids=["forked", "inline"])
def test_the_exception_is_raised_by_result(inline: bool) -> None:
    call = ForkedCall(refuse, 7, inline=inline)
    with pytest.raises(ValueError, match="no 7"):
        call.result()


def test_a_child_that_dies_is_a_clear_error_not_a_hang() -> None:
    call = ForkedCall(die, 0)
    with pytest.raises(RuntimeError, match="exit code 3"):
        call.result()


def test_the_child_sees_this_process_state_at_the_fork_without_pickling_it() -> None:
    unpicklable = {"handle": (lambda: 5)}  # lambdas cannot be pickled; the child inherits this one
    call = ForkedCall(lambda: unpicklable["handle"]() + 1)
    assert call.result() == 6


def test_closing_stops_a_child_still_running() -> None:
    import time

    call = ForkedCall(time.sleep, 60)
    started = time.perf_counter()
    call.close()
    assert time.perf_counter() - started < 10


class Big:
    """Stands for the program: something a finished call must not keep alive."""


@pytest.mark.parametrize("inline", [False, True], ids=["forked", "inline"])
def test_the_call_lets_go_of_its_arguments_and_value_once_taken(inline: bool) -> None:
    """A build frees the program before its search indexer; a finished call must not keep it (or the feeds)."""
    import weakref

    argument = Big()
    call = ForkedCall(lambda big: [big], argument, inline=inline)
    value = call.result()
    assert value[0] is argument or not inline
    watched = weakref.ref(argument)
    del argument, value
    assert watched() is None
    with pytest.raises(RuntimeError, match="already taken"):
        call.result()

