package dev.hoist.ssh;

import static dev.hoist.ssh.SshException.Kind.CONNECTION_LOST;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;

/**
 * Runs one command line attached to this process's stdin, stdout and stderr, with a remote PTY when
 * asked (like {@code ssh -t}); the local terminal, if there is one, is raw meanwhile.
 */
final class RemoteTerminal {
  private static final long POLL_MILLIS = 10;
  private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

  private final String node;
  private final ClientSession session;

  RemoteTerminal(String node, ClientSession session) {
    this.node = node;
    this.session = session;
  }

  /**
   * Runs {@code commandLine} until it exits and returns its exit code; no timeout, as a person is
   * at the other end (a dead connection still ends it, through the keepalive).
   */
  int run(ChannelSlots slots, String commandLine, boolean tty)
      throws IOException, InterruptedException {
    boolean terminal = LocalTerminal.present();
    Instant deadline = Instant.now().plus(OPEN_TIMEOUT);
    slots.acquire(deadline);
    try {
      return attend(slots.open(() -> newChannel(commandLine, tty), deadline), tty && terminal);
    } finally {
      slots.release();
    }
  }

  private int attend(ChannelExec channel, boolean raw) throws IOException {
    try (LocalTerminal restore = raw ? LocalTerminal.raw() : null) {
      Thread feeder = feed(System.in, channel.getInvertedIn(), raw, channel);
      while (!channel
          .waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofMinutes(1))
          .contains(ClientChannelEvent.CLOSED)) {
        // A person may take hours; only the command's end (or the connection's) ends the wait.
      }
      feeder.interrupt();
      System.out.flush();
      System.err.flush();
    } finally {
      channel.close(false);
    }
    Integer status = RemoteCommand.exitCode(channel);
    if (status != null) {
      return status;
    }
    throw new SshException(
        CONNECTION_LOST, node, "the SSH connection dropped during the command", null);
  }

  private ChannelExec newChannel(String commandLine, boolean tty) throws IOException {
    ChannelExec channel = session.createExecChannel(commandLine);
    // Output goes straight to our streams from MINA's threads; set before the channel opens.
    channel.setOut(flushing(System.out));
    channel.setErr(flushing(System.err));
    if (tty) {
      channel.setUsePty(true);
      String term = System.getenv("TERM");
      channel.setPtyType(term == null || term.isBlank() ? "xterm" : term);
      int[] size = LocalTerminal.size();
      if (size != null) {
        channel.setPtyLines(size[0]);
        channel.setPtyColumns(size[1]);
      }
    }
    return channel;
  }

  /**
   * Copies {@code in} to the channel on a daemon thread. A raw terminal is polled, so that no key
   * typed after the command ends is swallowed (Ctrl-D reaches the remote PTY as a byte); other
   * input is read to its end, then EOF is sent.
   */
  private static Thread feed(
      InputStream in, OutputStream remote, boolean raw, ChannelExec channel) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[8192];
              try {
                while (channel.isOpen()) {
                  if (raw && in.available() <= 0) {
                    Thread.sleep(POLL_MILLIS);
                    continue;
                  }
                  int n =
                      in.read(
                          buffer, 0, raw ? Math.min(buffer.length, in.available()) : buffer.length);
                  if (n < 0) {
                    remote.close();
                    return;
                  }
                  remote.write(buffer, 0, n);
                  remote.flush();
                }
              } catch (IOException | InterruptedException e) {
                // The command ended; what is left of our input is not its business.
              }
            },
            "hoist-ssh-stdin");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static OutputStream flushing(PrintStream target) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        target.write(b);
        target.flush();
      }

      @Override
      public void write(byte[] b, int off, int len) {
        target.write(b, off, len);
        target.flush();
      }
    };
  }
}
