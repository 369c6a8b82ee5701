package dev.hoist.ssh;

import static dev.hoist.ssh.SshException.Kind.SUDO_PASSWORD;

import dev.hoist.node.ExecRequest;
import dev.hoist.node.ExecResult;
import dev.hoist.node.Node;
import dev.hoist.node.StreamingCommand;
import dev.hoist.project.ShellWords;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.sshd.client.session.ClientSession;

/**
 * A node reached over SSH: one connection, opened on first use (or by {@link #connect()}), that
 * carries up to {@value #MAX_CHANNELS} commands at once on their own channels. Commands run as
 * root: through {@code sudo -n} when the login user is not root.
 */
public final class SshNode implements Node, AutoCloseable {
  /** Channels in flight per connection; OpenSSH allows 10 (MaxSessions), so this leaves room. */
  public static final int MAX_CHANNELS = 6;

  private final SshTarget target;
  private final SshConnector connector;
  private final ChannelSlots slots = new ChannelSlots(MAX_CHANNELS);
  private SshConnector.Connection connection;
  private boolean closed;

  SshNode(SshTarget target, SshConnector connector) {
    this.target = target;
    this.connector = connector;
  }

  @Override
  public String name() {
    return target.name();
  }

  public SshTarget target() {
    return target;
  }

  /**
   * Connects, verifies the host key and authenticates now, unless connected already; call it for
   * many nodes in parallel to connect them all in the time of the slowest. A dropped connection is
   * opened again on next use.
   *
   * @throws SshException UNREACHABLE, HOST_UNKNOWN, HOST_KEY_CHANGED or AUTH_REFUSED, within the
   *     target's connect timeout per step; never blocks longer
   * @throws IllegalStateException after {@link #close()}
   */
  public void connect() throws SshException, InterruptedException {
    session();
  }

  /**
   * The host key this connection verified against known_hosts (connecting first if needed): what
   * another machine may pin for this node.
   */
  public HostKey hostKey() throws SshException, InterruptedException {
    return new HostKey(session().getServerKey());
  }

  private synchronized ClientSession session() throws SshException, InterruptedException {
    if (closed) {
      throw new IllegalStateException(name() + ": this SSH node was closed");
    }
    if (connection == null || !connection.session().isOpen()) {
      if (connection != null) {
        connection.close();
      }
      connection = null;
      connection = connector.open(target);
    }
    return connection.session();
  }

  /**
   * Runs {@code request.argv()} on the node (quoted for sh, behind {@code sudo -n --} unless the
   * user is root), streaming stdin in and stdout lines out; connects first if needed.
   *
   * @throws SshException TIMEOUT when the command outlives {@code request.timeout()} (waiting for a
   *     free channel counts; the command gets SIGTERM and its channel is closed), CONNECTION_LOST
   *     when the connection drops under it, SUDO_PASSWORD when sudo wants a password, or any kind
   *     {@link #connect()} throws
   */
  @Override
  public ExecResult exec(ExecRequest request) throws IOException, InterruptedException {
    ExecResult result =
        new RemoteCommand(name(), session(), slots).run(commandLine(request.argv()), request);
    if (target.needsSudo() && result.exitCode() == 1 && sudoWantsPassword(result.stderr())) {
      throw sudoPassword();
    }
    return result;
  }

  /**
   * Runs {@code argv} attached to this process's stdin, stdout and stderr until it exits, with a
   * remote PTY when {@code tty} (and the local terminal, if any, in raw mode meanwhile); returns
   * the remote exit code. No timeout: it lasts as long as the command does.
   */
  @Override
  public int interactive(List<String> argv, boolean tty) throws IOException, InterruptedException {
    int exit = new RemoteTerminal(name(), session()).run(slots, commandLine(argv), tty);
    // With a PTY sudo's message went to our terminal, not to a stream we read: ask sudo itself.
    if (target.needsSudo() && exit == 1) {
      ExecResult probe = exec(ExecRequest.of(List.of("true"), target.connectTimeout()));
      if (!probe.ok()) {
        throw sudoPassword();
      }
    }
    return exit;
  }

  /**
   * Starts {@code argv} on its own channel with streamed stdin and stdout (see {@link
   * StreamingCommand}); connects first if needed. Waiting for a channel is bounded by the target's
   * connect timeout; the command itself has none.
   *
   * @throws SshException SUDO_PASSWORD (from {@link StreamingCommand#waitFor()}) when sudo wants a
   *     password, or any kind {@link #connect()} throws
   */
  @Override
  public StreamingCommand stream(List<String> argv, Consumer<String> onErrorLine)
      throws IOException, InterruptedException {
    return RemoteStream.start(
        name(),
        session(),
        slots,
        commandLine(argv),
        target.connectTimeout(),
        onErrorLine,
        target.needsSudo() ? sudoPassword() : null);
  }

  /** The sh command line for {@code argv}, behind {@code sudo -n --} when not logged in as root. */
  String commandLine(List<String> argv) {
    String command = ShellWords.join(argv);
    return target.needsSudo() ? "sudo -n -- " + command : command;
  }

  static boolean sudoWantsPassword(String stderr) {
    return stderr.contains("sudo: a password is required")
        || stderr.contains("is not in the sudoers file");
  }

  private SshException sudoPassword() {
    return new SshException(
        SUDO_PASSWORD,
        name(),
        "sudo on "
            + name()
            + " asks for a password; give "
            + target.user()
            + " passwordless sudo (a line in /etc/sudoers.d) or connect as root",
        null);
  }

  /** Closes the connection (and its jump hosts'); commands still running on it fail. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (connection != null) {
      connection.close();
      connection = null;
    }
  }
}
