package dev.hoist.ssh;

import static dev.hoist.ssh.SshException.Kind.HOST_KEY_CHANGED;

import java.io.IOException;

/**
 * What `hoist node trust` needs: the key a server offers ({@link #scan}), and adding it to the
 * target's known_hosts ({@link #trust}). Checking it out of band in between is the user's part.
 */
public final class HostKeys {
  // One process appends at a time, so two trusts never interleave their lines.
  private static final Object APPEND = new Object();

  private final SshConnector connector;

  HostKeys(SshConnector connector) {
    this.connector = connector;
  }

  /**
   * Connects to {@code target} without authenticating and returns the host key it offers; its jump
   * hosts, if any, are verified and authenticated as usual.
   *
   * @throws SshException UNREACHABLE within the connect timeout; for a jump host, any kind
   */
  public HostKey scan(SshTarget target) throws SshException, InterruptedException {
    return connector.scan(target);
  }

  /**
   * Appends {@code key} for the target's host and port to its known_hosts (creating the file 0600
   * and its directory 0700), unless it is there already.
   *
   * @return false when known_hosts already had exactly this key: nothing was written
   * @throws SshException HOST_KEY_CHANGED when known_hosts holds another key of that type for the
   *     host: the message says how to remove the stale line first
   */
  public boolean trust(SshTarget target, HostKey key) throws IOException {
    synchronized (APPEND) {
      KnownHosts file = KnownHosts.read(target.knownHosts());
      KnownHosts.Verdict verdict = file.check(target.host(), target.port(), key.key());
      switch (verdict) {
        case KnownHosts.Known known -> {
          return false;
        }
        case KnownHosts.Changed changed ->
            throw new SshException(
                HOST_KEY_CHANGED,
                target.name(),
                file.file()
                    + ":"
                    + changed.line()
                    + " holds another "
                    + key.type()
                    + " key for "
                    + target.address()
                    + "; if the server was rebuilt, remove it first: ssh-keygen -R "
                    + KnownHosts.pattern(target.host(), target.port())
                    + " -f "
                    + file.file(),
                null);
        case KnownHosts.Revoked revoked ->
            throw new SshException(
                HOST_KEY_CHANGED,
                target.name(),
                "will not trust "
                    + key
                    + ": "
                    + file.file()
                    + ":"
                    + revoked.line()
                    + " marks it @revoked",
                null);
        case KnownHosts.Unknown unknown ->
            KnownHosts.append(target.knownHosts(), target.host(), target.port(), key);
      }
      return true;
    }
  }
}
