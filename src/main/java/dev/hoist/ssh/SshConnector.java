package dev.hoist.ssh;

import static dev.hoist.ssh.SshException.Kind.AUTH_REFUSED;
import static dev.hoist.ssh.SshException.Kind.UNREACHABLE;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.future.AuthFuture;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.forward.ExplicitPortForwardingTracker;
import org.apache.sshd.common.util.net.SshdSocketAddress;

/**
 * Opens one session to a target (through its jump hosts), verifies the host key and authenticates,
 * and turns every way that can fail into an {@link SshException} that says what to do. Never waits
 * longer than the target's connect timeout for any one step.
 */
final class SshConnector {
  /** An authenticated session, and the jump connection it runs through (or null). */
  record Connection(ClientSession session, Tunnel tunnel) implements AutoCloseable {
    @Override
    public void close() {
      session.close(false).awaitUninterruptibly(Duration.ofSeconds(2));
      if (tunnel != null) {
        tunnel.close();
      }
    }
  }

  /** A local port forwarded through a jump host's session to the target's SSH port. */
  record Tunnel(Connection jump, ExplicitPortForwardingTracker forward) implements AutoCloseable {
    InetSocketAddress address() {
      return forward.getBoundAddress().toInetSocketAddress();
    }

    @Override
    public void close() {
      try {
        forward.close();
      } catch (IOException e) {
        // Closing the jump session below ends the forward anyway.
      }
      jump.close();
    }
  }

  private final SshClient client;
  private final IdentityFiles identityFiles;
  private final Path agentSocket;

  SshConnector(SshClient client, IdentityFiles identityFiles, Path agentSocket) {
    this.client = client;
    this.identityFiles = identityFiles;
    this.agentSocket = agentSocket;
  }

  /** An authenticated session to {@code target}; the caller closes it. */
  Connection open(SshTarget target) throws SshException, InterruptedException {
    Tunnel tunnel = tunnelTo(target);
    try {
      HostCheck check = HostCheck.verifying(target);
      ClientSession session = handshake(target, check, tunnel);
      try {
        authenticate(target, session, check);
      } catch (SshException | InterruptedException | RuntimeException e) {
        session.close(true);
        throw e;
      }
      return new Connection(session, tunnel);
    } catch (SshException | InterruptedException | RuntimeException e) {
      if (tunnel != null) {
        tunnel.close();
      }
      throw e;
    }
  }

  /**
   * The key {@code target} offers, read during key exchange; nothing is authenticated or trusted.
   */
  HostKey scan(SshTarget target) throws SshException, InterruptedException {
    Tunnel tunnel = tunnelTo(target);
    try {
      HostCheck check = HostCheck.scanning(target);
      ClientSession session = handshake(target, check, tunnel);
      try {
        session.waitFor(
            List.of(
                ClientSession.ClientSessionEvent.WAIT_AUTH,
                ClientSession.ClientSessionEvent.CLOSED),
            target.connectTimeout());
      } finally {
        session.close(true);
      }
      if (check.offered() == null) {
        throw new SshException(
            UNREACHABLE,
            target.name(),
            where(target)
                + " did not finish the SSH key exchange within "
                + seconds(target.connectTimeout()),
            null);
      }
      return check.offered();
    } finally {
      if (tunnel != null) {
        tunnel.close();
      }
    }
  }

  private Tunnel tunnelTo(SshTarget target) throws SshException, InterruptedException {
    if (target.jump() == null) {
      return null;
    }
    Connection jump;
    try {
      jump = open(target.jump());
    } catch (SshException e) {
      throw e.through(target.name());
    }
    try {
      return new Tunnel(
          jump,
          jump.session()
              .createLocalPortForwardingTracker(
                  new SshdSocketAddress("127.0.0.1", 0),
                  new SshdSocketAddress(target.host(), target.port())));
    } catch (IOException | RuntimeException e) {
      jump.close();
      throw new SshException(
          UNREACHABLE,
          target.name(),
          "cannot forward a port through jump host " + target.jump().name() + ": " + e.getMessage(),
          e);
    }
  }

  /** Connects and starts the key exchange, whose host key {@code check} judges. */
  private ClientSession handshake(SshTarget target, HostCheck check, Tunnel tunnel)
      throws SshException, InterruptedException {
    InetSocketAddress address =
        tunnel != null ? tunnel.address() : new InetSocketAddress(target.host(), target.port());
    if (address.isUnresolved()) {
      throw new SshException(
          UNREACHABLE, target.name(), "cannot resolve the host name " + target.host(), null);
    }
    ConnectFuture future;
    try {
      future = client.connect(target.user(), address, check.context(), null);
      if (!future.await(target.connectTimeout())) {
        future.cancel();
        throw new SshException(
            UNREACHABLE,
            target.name(),
            "no answer from " + where(target) + " within " + seconds(target.connectTimeout()),
            null);
      }
    } catch (InterruptedIOException e) {
      throw new InterruptedException("interrupted while connecting to " + target.name());
    } catch (IOException e) {
      throw unreachable(target, e);
    }
    if (future.getException() != null) {
      throw unreachable(target, future.getException());
    }
    return future.getClientSession();
  }

  private void authenticate(SshTarget target, ClientSession session, HostCheck check)
      throws SshException, InterruptedException {
    KeyOffers offers = KeyOffers.add(target, session, identityFiles, agentSocket);
    AuthFuture auth;
    boolean done;
    try {
      auth = session.auth();
      done = auth.await(target.connectTimeout());
    } catch (InterruptedIOException e) {
      throw new InterruptedException("interrupted while authenticating to " + target.name());
    } catch (IOException e) {
      throw failedHandshake(target, check, e);
    }
    if (check.refusal() != null) {
      throw check.refusal();
    }
    if (!done) {
      throw new SshException(
          UNREACHABLE,
          target.name(),
          where(target)
              + (check.offered() == null
                  ? " did not finish the SSH key exchange"
                  : " did not finish authentication")
              + " within "
              + seconds(target.connectTimeout()),
          null);
    }
    if (!auth.isSuccess()) {
      throw check.offered() == null
          ? failedHandshake(target, check, auth.getException())
          : new SshException(
              AUTH_REFUSED, target.name(), offers.refusal(target), auth.getException());
    }
  }

  private static SshException failedHandshake(SshTarget target, HostCheck check, Throwable e) {
    if (check.refusal() != null) {
      return check.refusal();
    }
    return new SshException(
        UNREACHABLE, target.name(), where(target) + " ended the SSH handshake: " + reason(e), e);
  }

  @SuppressWarnings("ReferenceEquality") // a cause that is itself ends the chain: identity it is
  private static SshException unreachable(SshTarget target, Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String why =
        switch (root) {
          case ConnectException c ->
              "connection refused (is sshd running and listening on port " + target.port() + "?)";
          case NoRouteToHostException n -> "no route to the host";
          case UnknownHostException u -> "cannot resolve the host name " + target.host();
          case UnresolvedAddressException u -> "cannot resolve the host name " + target.host();
          default -> reason(root);
        };
    return new SshException(
        UNREACHABLE, target.name(), "cannot reach " + where(target) + ": " + why, e);
  }

  private static String reason(Throwable e) {
    return e == null
        ? "no reason given"
        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private static String where(SshTarget target) {
    return target.address()
        + (target.jump() == null ? "" : " (through jump host " + target.jump().name() + ")");
  }

  static String seconds(Duration duration) {
    return duration.toMillis() % 1000 == 0
        ? duration.toSeconds() + "s"
        : duration.toMillis() + "ms";
  }
}
