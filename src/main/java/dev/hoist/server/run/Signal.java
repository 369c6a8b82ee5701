package dev.hoist.server.run;

import java.time.Duration;

/**
 * Wakes whoever follows a deploy's log (the SSE stream) when something was written: a counter that
 * each change bumps, and a wait for it to move past a value seen.
 */
public final class Signal {
  private long version;

  public synchronized long version() {
    return version;
  }

  synchronized void bump() {
    version++;
    notifyAll();
  }

  /** Waits until the version is past {@code seen} or {@code max} passed; true if it moved. */
  public synchronized boolean await(long seen, Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (version == seen) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
