package dev.hoist.ssh;

import java.io.IOException;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.AttributeRepository.AttributeKey;
import org.apache.sshd.common.session.Session;

/**
 * The host key check of one connection attempt: verifies the offered key against the target's
 * known_hosts (or, for a scan, only records it) and keeps the refusal to report.
 */
final class HostCheck {
  private static final AttributeKey<HostCheck> KEY = new AttributeKey<>();

  private final SshTarget target;
  private final boolean scanOnly;
  private volatile HostKey offered;
  private volatile SshException refusal;

  private HostCheck(SshTarget target, boolean scanOnly) {
    this.target = target;
    this.scanOnly = scanOnly;
  }

  static HostCheck verifying(SshTarget target) {
    return new HostCheck(target, false);
  }

  static HostCheck scanning(SshTarget target) {
    return new HostCheck(target, true);
  }

  /** The connection context that carries this check to {@link HostKeyVerifier}. */
  AttributeRepository context() {
    return AttributeRepository.ofKeyValuePair(KEY, this);
  }

  /**
   * The check {@code session} carries; early in its life only its I/O session holds the context.
   */
  static HostCheck of(Session session) {
    AttributeRepository context =
        session instanceof ClientSession client ? client.getConnectionContext() : null;
    if (context == null) {
      context =
          (AttributeRepository) session.getIoSession().getAttribute(AttributeRepository.class);
    }
    HostCheck check = context == null ? null : context.getAttribute(KEY);
    if (check == null) {
      throw new IllegalStateException("a Hoist SSH connection without a host key check");
    }
    return check;
  }

  SshTarget target() {
    return target;
  }

  /** The key types known_hosts has for this host, best asked for first (empty for a scan). */
  List<String> knownTypes() {
    if (scanOnly) {
      return List.of();
    }
    try {
      return KnownHosts.read(target.knownHosts()).typesFor(target.host(), target.port());
    } catch (IOException e) {
      return List.of(); // accept() reports the unreadable file
    }
  }

  /** Whether to go on with {@code key}; a refusal is kept for {@link #refusal()}. */
  boolean accept(PublicKey key) {
    offered = new HostKey(key);
    if (scanOnly) {
      return true;
    }
    try {
      KnownHosts file = KnownHosts.read(target.knownHosts());
      refusal = refusalFor(file, file.check(target.host(), target.port(), key));
    } catch (IOException e) {
      refusal =
          new SshException(
              SshException.Kind.HOST_UNKNOWN,
              target.name(),
              "cannot read "
                  + target.knownHosts()
                  + " to check the host key of "
                  + target.address()
                  + ": "
                  + e.getMessage(),
              e);
    }
    return refusal == null;
  }

  HostKey offered() {
    return offered;
  }

  /** Why the key was refused, or null when it was not (or not yet checked). */
  SshException refusal() {
    return refusal;
  }

  private SshException refusalFor(KnownHosts file, KnownHosts.Verdict verdict) {
    String node = target.name();
    return switch (verdict) {
      case KnownHosts.Known known -> null;
      case KnownHosts.Unknown unknown ->
          new SshException(
              SshException.Kind.HOST_UNKNOWN,
              node,
              "the host key of "
                  + target.address()
                  + " is not known ("
                  + offered
                  + (unknown.otherTypes().isEmpty()
                      ? ""
                      : "; "
                          + file.file()
                          + " has only "
                          + String.join(", ", unknown.otherTypes())
                          + " for it")
                  + "); check that fingerprint out of band (on the server: ssh-keygen -lf "
                  + "/etc/ssh/ssh_host_*_key.pub), then run: hoist node trust "
                  + node,
              null);
      case KnownHosts.Changed changed ->
          new SshException(
              SshException.Kind.HOST_KEY_CHANGED,
              node,
              "WARNING: THE HOST KEY OF "
                  + target.address()
                  + " HAS CHANGED - someone may be "
                  + "intercepting the connection (man-in-the-middle). It offers "
                  + offered
                  + " but "
                  + file.file()
                  + ":"
                  + changed.line()
                  + " holds "
                  + new HostKey(changed.known())
                  + ". Refusing to connect. Only if the server was rebuilt: ssh-keygen -R "
                  + KnownHosts.pattern(target.host(), target.port())
                  + " -f "
                  + file.file()
                  + ", then hoist node trust "
                  + node,
              null);
      case KnownHosts.Revoked revoked ->
          new SshException(
              SshException.Kind.HOST_KEY_CHANGED,
              node,
              "WARNING: "
                  + target.address()
                  + " offers a REVOKED host key ("
                  + offered
                  + ", marked "
                  + "@revoked at "
                  + file.file()
                  + ":"
                  + revoked.line()
                  + "). Refusing to connect.",
              null);
    };
  }
}
