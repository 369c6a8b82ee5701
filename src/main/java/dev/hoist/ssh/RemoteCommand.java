package dev.hoist.ssh;

import static dev.hoist.ssh.SshException.Kind.CONNECTION_LOST;
import static dev.hoist.ssh.SshException.Kind.TIMEOUT;

import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.client.channel.ClientChannel;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * Runs one command line on its own channel: stdin streamed from the request's bytes, each stdout
 * line handed on as it arrives, stderr collected, and the channel closed when the timeout passes.
 */
final class RemoteCommand {
  // Signal numbers are the same on every Linux architecture Hoist targets; 128 + n as sh reports.
  private static final Map<String, Integer> SIGNALS =
      Map.of(
          "HUP", 1, "INT", 2, "QUIT", 3, "ABRT", 6, "KILL", 9, "SEGV", 11, "PIPE", 13, "ALRM", 14,
          "TERM", 15);

  private final String node;
  private final ClientSession session;
  private final ChannelSlots slots;

  RemoteCommand(String node, ClientSession session, ChannelSlots slots) {
    this.node = node;
    this.session = session;
    this.slots = slots;
  }

  /**
   * Runs {@code commandLine} (already quoted for sh) with the request's stdin, timeout and
   * listener.
   */
  ExecResult run(String commandLine, ExecRequest request) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(request.timeout());
    String what = request.argv().isEmpty() ? commandLine : request.argv().get(0);
    try {
      slots.acquire(deadline);
    } catch (ChannelSlots.Busy e) {
      throw timedOut(request.timeout(), what, "waiting for a free channel", e);
    }
    try {
      ClientChannel channel;
      try {
        channel = slots.open(() -> session.createExecChannel(commandLine), deadline);
      } catch (ChannelSlots.Busy e) {
        throw timedOut(request.timeout(), what, "opening a channel", e);
      } catch (IOException e) {
        throw lostOr(e, "cannot open a channel: " + e.getMessage());
      }
      try {
        return attend(channel, request, deadline, what);
      } finally {
        channel.close(false);
      }
    } finally {
      slots.release();
    }
  }

  private ExecResult attend(
      ClientChannel channel, ExecRequest request, Instant deadline, String what)
      throws IOException, InterruptedException {
    AtomicBoolean expired = new AtomicBoolean();
    Thread watchdog =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    Thread.sleep(ChannelSlots.millisUntil(deadline));
                    expired.set(true);
                    stop(channel);
                  } catch (InterruptedException e) {
                    // The command ended in time.
                  }
                });
    Thread feeder =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (OutputStream stdin = channel.getInvertedIn()) {
                    stdin.write(request.stdin());
                  } catch (IOException e) {
                    // The command ended without reading all its input; its exit code tells why.
                  }
                });
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    Thread errors =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    channel.getInvertedErr().transferTo(stderr);
                  } catch (IOException e) {
                    // The channel closed under us; the exit status (or its absence) tells what
                    // happened.
                  }
                });
    StringBuilder stdout = new StringBuilder();
    IOException broken = null;
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(channel.getInvertedOut(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        stdout.append(line).append('\n');
        request.onLine().accept(line);
      }
    } catch (IOException e) {
      broken = e;
    } catch (RuntimeException e) {
      channel.close(true); // the listener failed: do not wait for the command to end
      throw e;
    } finally {
      channel.waitFor(
          EnumSet.of(ClientChannelEvent.CLOSED),
          Duration.ofMillis(ChannelSlots.millisUntil(deadline) + 1000));
      watchdog.interrupt();
    }
    errors.join();
    feeder.join();
    if (expired.get()) {
      throw timedOut(request.timeout(), what, "sent it SIGTERM and closed the channel", null);
    }
    Integer status = exitCode(channel);
    if (status == null) {
      throw lostOr(broken, "the command's channel closed without an exit status");
    }
    return new ExecResult(status, stdout.toString(), stderr.toString(StandardCharsets.UTF_8));
  }

  /**
   * The exit status, or 128 + the signal number as sh reports a killed command; null if neither
   * came.
   */
  static Integer exitCode(ClientChannel channel) {
    Integer status = channel.getExitStatus();
    if (status == null && channel.getExitSignal() != null) {
      status = 128 + SIGNALS.getOrDefault(channel.getExitSignal(), 0);
    }
    return status;
  }

  /** Asks sshd to send the command SIGTERM (the node agent stops at a safe point), then closes. */
  private void stop(ClientChannel channel) {
    try {
      Buffer signal = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
      signal.putUInt(channel.getRecipient());
      signal.putString("signal");
      signal.putBoolean(false);
      signal.putString("TERM");
      channel.writePacket(signal);
    } catch (IOException e) {
      // Closing the channel below is what counts.
    }
    channel.close(false);
  }

  private SshException timedOut(Duration timeout, String what, String detail, Throwable cause) {
    return new SshException(
        TIMEOUT,
        node,
        "timed out after " + SshConnector.seconds(timeout) + ": " + what + " (" + detail + ")",
        cause);
  }

  private IOException lostOr(IOException e, String detail) {
    if (!session.isOpen()) {
      return new SshException(
          CONNECTION_LOST,
          node,
          "the SSH connection dropped while a command ran (" + detail + ")",
          e);
    }
    return e != null
        ? new IOException(node + ": " + detail, e)
        : new SshException(CONNECTION_LOST, node, detail, null);
  }
}
