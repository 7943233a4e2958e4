"""SIGTERM is a Ctrl-C, and Ctrl-C or SIGTERM during a rollback waits until the rollback is done.

The signals are raised in the test's own thread (`signal.raise_signal`): `os.kill` of the process may be delivered
to another of its threads (the worker's local AWS serves from several), and the main thread then runs its handler
only at a later check, once the block under test may be over."""

import signal

import pytest

from simulacro.target.signals import interrupts_held, sigterm_raises_keyboard_interrupt


@pytest.fixture
def sigterm_interrupts():
    """SIGTERM raises KeyboardInterrupt, and Ctrl-C is Python's own, whatever an earlier test of this worker left:
    a held block hands a signal to the handler it found, so a stale one would swallow it."""
    found_sigint = signal.signal(signal.SIGINT, signal.default_int_handler)
    restore = sigterm_raises_keyboard_interrupt()
    yield
    restore()
    signal.signal(signal.SIGINT, found_sigint)


def test_sigterm_raises_keyboard_interrupt(sigterm_interrupts):
    with pytest.raises(KeyboardInterrupt, match="SIGTERM received: rolling back every fault in place"):
        signal.raise_signal(signal.SIGTERM)


def test_a_signal_during_a_held_block_waits_for_its_end(sigterm_interrupts):
    heard, done = [], []
    with pytest.raises(KeyboardInterrupt):
        with interrupts_held(heard.append):
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGTERM)
            done.append("the rollback went on to its end")
    assert heard == ["SIGINT", "SIGTERM"] and done


def test_a_held_signal_goes_to_the_enclosing_hold(sigterm_interrupts):
    outer, inner = [], []
    with interrupts_held(outer.append, redeliver=False):
        with interrupts_held(inner.append):
            signal.raise_signal(signal.SIGINT)
    assert inner == ["SIGINT"] and outer == ["SIGINT"]


def test_the_previous_handlers_come_back(sigterm_interrupts):
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with interrupts_held(redeliver=False):
        pass
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
