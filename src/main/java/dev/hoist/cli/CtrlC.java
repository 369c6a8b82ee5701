package dev.hoist.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C during a streamed transfer: the shutdown hook cuts the streams ({@code cut}) and waits
 * until the command has cleaned up (deleted its partial file, heard the runner stop) and said so,
 * then the JVM exits 130. Bounded, so a hung node cannot hold the terminal.
 */
final class CtrlC implements AutoCloseable {
  private static final long WAIT_SECONDS = 60;

  private final CountDownLatch done = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean fired;

  CtrlC(Console console, Runnable cut) {
    hook =
        new Thread(
            () -> {
              fired = true;
              console.warn("interrupted: cutting the stream; the node keeps its live data ...");
              cut.run();
              try {
                done.await(WAIT_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
  }

  boolean fired() {
    return fired;
  }

  @Override
  public void close() {
    done.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // Shutting down already: the hook runs and returns at once.
    }
  }
}
