"""Capstone: a rate-limited producer/consumer pipeline on your runtime (spawn + sleep + timeout).

Run it with `python capstone.py` (real time, about a tenth of a second) once timers.py works.

- The producer emits one item per tick (rate-limited with `sleep_until`, like
  `tokio::time::interval`), stalls for 10 ticks before its last item, then closes the channel.
- The consumer waits for each item with a patience of 5 ticks (`timeout`); when it runs out
  it logs "timeout" and waits again: `recv` is cancel-safe, no item is lost.
- `main()` returns the log: (tick, event) pairs, the tick being (time - start) / tick length.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from timers import Clock, Elapsed, block_on, now, sleep_until, spawn, timeout

from stdtask import Context, Future, Pending, Poll, Ready, Waker

CLOSED = object()


class Channel:
    """A tiny unbounded single-consumer channel (stage 03's, in miniature)."""

    def __init__(self) -> None:
        self.items: deque[Any] = deque()
        self.closed = False
        self.waker: Waker | None = None

    def send(self, item: Any) -> None:
        self.items.append(item)
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        waker, self.waker = self.waker, None
        if waker is not None:
            waker.wake()

    def recv(self) -> Recv:
        return Recv(self)


class Recv(Future[Any]):
    """The next item, or CLOSED. Cancel-safe: dropping it takes nothing from the channel."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def poll(self, cx: Context) -> Poll[Any]:
        channel = self.channel
        if channel.items:
            return Ready(channel.items.popleft())
        if channel.closed:
            return Ready(CLOSED)
        channel.waker = cx.waker
        return Pending

    def drop(self) -> None:
        self.channel.waker = None


async def producer(channel: Channel, items: list[str], start: float, tick: float) -> int:
    for n, item in enumerate(items, start=1):
        stall = 10 if n == len(items) else 0  # the upstream is slow for the last item
        await sleep_until(start + (n + stall) * tick)  # rate limit: one item per tick
        channel.send(item)
    channel.close()
    return len(items)


async def consumer(channel: Channel, start: float, tick: float, log: list[tuple[float, str]]
                   ) -> None:
    def stamp(event: str) -> None:
        log.append((round((now() - start) / tick, 3), event))

    while True:
        try:
            item = await timeout(5 * tick, channel.recv())
        except Elapsed:
            stamp("timeout")
            continue
        if item is CLOSED:
            stamp("closed")
            return
        stamp(f"got {item}")


async def pipeline(tick: float) -> list[tuple[float, str]]:
    start = now()
    channel = Channel()
    log: list[tuple[float, str]] = []
    sent = spawn(producer(channel, ["a", "b", "c", "d"], start, tick))
    received = spawn(consumer(channel, start, tick, log))
    await received
    log.append((round((now() - start) / tick, 3), f"sent {await sent}"))
    return log


def main(clock: Clock | None = None, tick: float = 0.01) -> list[tuple[float, str]]:
    """Run the pipeline; with a virtual clock it is instant and the ticks are exact."""
    return block_on(pipeline(tick), clock=clock)


if __name__ == "__main__":
    for when, event in main():
        print(f"tick {when:6.2f}: {event}")
