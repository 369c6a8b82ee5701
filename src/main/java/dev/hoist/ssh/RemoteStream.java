package dev.hoist.ssh;

import static dev.hoist.ssh.SshException.Kind.CONNECTION_LOST;

import dev.hoist.node.BoundedLines;
import dev.hoist.node.StreamingCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.function.Consumer;
import org.apache.sshd.client.channel.ClientChannel;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.util.buffer.Buffer;

/**
 * One command line on its own channel with stdin and stdout as byte streams (SSH's window gives
 * back-pressure both ways) and stderr read line by line; holds its channel slot until closed.
 */
final class RemoteStream implements StreamingCommand {
  private final String node;
  private final ClientSession session;
  private final ChannelSlots slots;
  private final ClientChannel channel;
  private final Thread errors;
  private final SshException sudoFailure;
  private volatile boolean sudoAsked;
  private boolean released;

  private RemoteStream(
      String node,
      ClientSession session,
      ChannelSlots slots,
      ClientChannel channel,
      Consumer<String> onErrorLine,
      SshException sudoFailure) {
    this.node = node;
    this.session = session;
    this.slots = slots;
    this.channel = channel;
    this.sudoFailure = sudoFailure;
    Consumer<String> lines =
        line -> {
          sudoAsked |= sudoFailure != null && SshNode.sudoWantsPassword(line);
          onErrorLine.accept(line);
        };
    this.errors =
        Thread.ofVirtual().start(() -> BoundedLines.read(channel.getInvertedErr(), lines));
  }

  /**
   * Opens a channel for {@code commandLine} (quoted for sh), waiting up to {@code open}; {@code
   * sudoFailure} (null when not behind sudo) is thrown by {@link #waitFor()} if sudo asked for a
   * password.
   */
  static RemoteStream start(
      String node,
      ClientSession session,
      ChannelSlots slots,
      String commandLine,
      Duration open,
      Consumer<String> onErrorLine,
      SshException sudoFailure)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(open);
    slots.acquire(deadline);
    try {
      ClientChannel channel = slots.open(() -> session.createExecChannel(commandLine), deadline);
      return new RemoteStream(node, session, slots, channel, onErrorLine, sudoFailure);
    } catch (IOException | RuntimeException e) {
      slots.release();
      if (!session.isOpen()) {
        throw new SshException(
            CONNECTION_LOST, node, "the SSH connection dropped: " + e.getMessage(), e);
      }
      throw e;
    }
  }

  @Override
  public OutputStream stdin() {
    return channel.getInvertedIn();
  }

  @Override
  public InputStream stdout() {
    return channel.getInvertedOut();
  }

  @Override
  public int waitFor() throws IOException, InterruptedException {
    while (!channel
        .waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Duration.ofMinutes(1))
        .contains(ClientChannelEvent.CLOSED)) {
      // A backup of a large database may take hours; the keepalive ends a dead connection.
    }
    errors.join();
    Integer status = RemoteCommand.exitCode(channel);
    if (status == null) {
      throw new SshException(
          CONNECTION_LOST,
          node,
          "the command's channel closed without an exit status (connection lost?)",
          null);
    }
    if (status == 1 && sudoAsked) {
      throw sudoFailure;
    }
    return status;
  }

  @Override
  public void cancel() {
    try {
      Buffer signal = session.createBuffer(SshConstants.SSH_MSG_CHANNEL_REQUEST, 32);
      signal.putUInt(channel.getRecipient());
      signal.putString("signal");
      signal.putBoolean(false);
      signal.putString("TERM");
      channel.writePacket(signal);
    } catch (IOException e) {
      // The EOF below still tells the command its input ended.
    }
    try {
      channel.getInvertedIn().close();
    } catch (IOException e) {
      // Closed already.
    }
  }

  @Override
  public synchronized void close() {
    // Closing the channel closes the command's pipes: a writer gets SIGPIPE, a reader EOF.
    channel.close(false);
    if (!released) {
      released = true;
      slots.release();
    }
  }
}
