"""Keeping ``flask serve``'s processes up: web, worker and cron.

A child that exits (killed, crashed, out of memory) is started again after a backoff of 1 s,
doubling up to 30 s while it keeps failing and back to 1 s once it has run for a minute, and
the reason is logged. One child going down never takes the others with it: the site stays up
while a worker restarts. SIGTERM or Ctrl-C stops them all (terminate, then kill after 10 s).
"""
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

HEALTHY_AFTER = 60.0  # seconds a child must run before its backoff starts over
MAX_BACKOFF = 30.0


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    delay: float = 1.0
    restart_at: float | None = None

    def start(self, env: dict) -> None:
        self.proc = subprocess.Popen(self.argv, env=env)
        self.started_at, self.restart_at = time.monotonic(), None

    def check(self, now: float) -> None:
        """Notice an exit and schedule the restart."""
        if self.proc is None or self.proc.poll() is None or self.restart_at is not None:
            return
        if now - self.started_at >= HEALTHY_AFTER:
            self.delay = 1.0
        self.restart_at = now + self.delay
        _say(f"{self.name} {describe_exit(self.proc.returncode)}; restarting in {self.delay:.0f} s")
        self.delay = min(self.delay * 2, MAX_BACKOFF)

    def due(self, now: float) -> bool:
        return self.restart_at is not None and now >= self.restart_at


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _say(message: str) -> None:
    print(f"deskflow: {message}", file=sys.stderr, flush=True)


def supervise(children: list[Child], env: dict) -> None:
    """Run ``children`` until SIGTERM/SIGINT, restarting any that exits."""
    stop: list[int] = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, _frame: stop.append(signum))
    for child in children:
        child.start(env)
    while not stop:
        now = time.monotonic()
        for child in children:
            child.check(now)
            if child.due(now):
                child.start(env)
        time.sleep(0.2)
    _stop_all(children)


def _stop_all(children: list[Child]) -> None:
    running = [c.proc for c in children if c.proc is not None and c.proc.poll() is None]
    for proc in running:
        proc.terminate()
    for proc in running:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
