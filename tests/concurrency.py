"""Running things at the same moment, for the concurrency tests."""
import threading


def run_together(*jobs) -> list:
    """Run each ``job(barrier)`` in its own thread; they wait on the barrier so that they act at
    once. Returns their results (or the exceptions they raised), in order."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(i, job):
        try:
            results[i] = job(barrier)
        except Exception as exc:  # noqa: BLE001 (reported to the test)
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results
