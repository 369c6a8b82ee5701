package dev.hoist.ssh;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.client.channel.ClientChannel;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.common.channel.exception.SshChannelOpenException;

/**
 * Bounds the channels in flight on one connection, and opens each patiently: OpenSSH refuses a
 * channel beyond its MaxSessions (10 by default), so a refusal is retried for a while.
 */
final class ChannelSlots {
  /** Makes a fresh, unopened channel: a refused one cannot be opened again. */
  @FunctionalInterface
  interface ChannelMaker<C extends ClientChannel> {
    C make() throws IOException;
  }

  /** Thrown when no slot or channel could be had before the deadline. */
  static final class Busy extends IOException {
    private static final long serialVersionUID = 1L;

    Busy(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final Duration FIRST_PAUSE = Duration.ofMillis(10);
  private static final Duration LONGEST_PAUSE = Duration.ofMillis(250);

  private final Semaphore permits;

  ChannelSlots(int size) {
    permits = new Semaphore(size, true);
  }

  /** Waits for a slot until {@code deadline}; release it with {@link #release()}. */
  void acquire(Instant deadline) throws Busy, InterruptedException {
    if (!permits.tryAcquire(millisUntil(deadline), TimeUnit.MILLISECONDS)) {
      throw new Busy("every channel stayed busy until the timeout", null);
    }
  }

  void release() {
    permits.release();
  }

  /** Opens a channel from {@code maker}, retrying the server's refusals until {@code deadline}. */
  <C extends ClientChannel> C open(ChannelMaker<C> maker, Instant deadline)
      throws IOException, InterruptedException {
    Duration pause = FIRST_PAUSE;
    while (true) {
      C channel = maker.make();
      OpenFuture opened = channel.open();
      if (!opened.await(Duration.ofMillis(millisUntil(deadline)))) {
        channel.close(true);
        throw new Busy("the server did not open a channel before the timeout", null);
      }
      if (opened.isOpened()) {
        return channel;
      }
      channel.close(true);
      Throwable why = opened.getException();
      if (!(why instanceof SshChannelOpenException)
          || Instant.now().plus(pause).isAfter(deadline)) {
        throw why instanceof IOException io ? io : new IOException("cannot open a channel", why);
      }
      Thread.sleep(pause.toMillis());
      pause =
          pause.multipliedBy(2).compareTo(LONGEST_PAUSE) > 0
              ? LONGEST_PAUSE
              : pause.multipliedBy(2);
    }
  }

  static long millisUntil(Instant deadline) {
    return Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
  }
}
