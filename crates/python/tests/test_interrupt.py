"""Long calls run without the GIL and stop on Ctrl-C (mirrors crates/python/src/work.rs)."""

import _thread
import signal
import threading
import time
from pathlib import Path

import pyarrow.csv as pacsv
import pytest

import sameas


@pytest.fixture
def ctrl_c_raises():
    """Python's own Ctrl-C handler for the test: a process started in the background by a
    non-interactive shell inherits SIGINT ignored, and then an interrupt does nothing."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_cancels_and_leaves_the_resolver_unchanged(synth: tuple[Path, Path]) -> None:
    table = pacsv.read_csv(synth[0])
    table = pacsv.read_csv(
        synth[0],
        convert_options=pacsv.ConvertOptions(
            column_types={c: "string" for c in table.column_names}
        ),
    )
    resolver = sameas.Resolver()
    resolver.resolve(table)  # trains the model
    started = time.perf_counter()
    resolver.resolve(table)  # the run below, uninterrupted and timed, with the model given
    timed = time.perf_counter() - started
    part = table.slice(0, 4500)
    resolver.resolve(part)
    before = (resolver.to_json(), resolver.explain_entity("E00000001"), len(resolver))

    # The same run over every record, interrupted early, as Ctrl-C would.
    timer = threading.Timer(timed / 4, _thread.interrupt_main)
    timer.start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        resolver.resolve(table)
    stopped = time.perf_counter() - started
    timer.cancel()
    assert stopped < timed, (stopped, timed)
    assert (resolver.to_json(), resolver.explain_entity("E00000001"), len(resolver)) == before
    assert len(resolver) == part.num_rows


def test_other_threads_run_while_a_call_works(synth: tuple[Path, Path]) -> None:
    ticks = []
    done = threading.Event()

    def tick() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.01)

    thread = threading.Thread(target=tick)
    resolver = sameas.Resolver()
    thread.start()
    started = time.perf_counter()
    resolver.resolve(synth[0])
    ended = time.perf_counter()
    done.set()
    thread.join()
    during = [t for t in ticks if started < t < ended]
    # The GIL was free: the other thread ticked through the call.
    assert len(during) >= 0.1 * (ended - started) / 0.01
