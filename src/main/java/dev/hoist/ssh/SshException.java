package dev.hoist.ssh;

import java.io.IOException;

/**
 * Why an SSH node could not do what was asked, classified for deploy reports; the message is one
 * line that starts with the node's name and says what to do.
 */
public final class SshException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The kinds of failure a report tells apart. */
  public enum Kind {
    /** No SSH answer: name not resolved, connection refused, no route, or a connect timeout. */
    UNREACHABLE,
    /** The server refused every key offered (or none could be offered). */
    AUTH_REFUSED,
    /** The server's host key is not in known_hosts: never accepted silently. */
    HOST_UNKNOWN,
    /** known_hosts holds another key of the same type for this host: possibly an attack. */
    HOST_KEY_CHANGED,
    /** The login user is not root and sudo asks for a password. */
    SUDO_PASSWORD,
    /** A command outlived its timeout; its channel was closed. */
    TIMEOUT,
    /** The connection dropped while a command ran, or was closed under it. */
    CONNECTION_LOST
  }

  private final Kind kind;
  private final String node;

  public SshException(Kind kind, String node, String detail, Throwable cause) {
    super(node + ": " + detail, cause);
    this.kind = kind;
    this.node = node;
  }

  public Kind kind() {
    return kind;
  }

  /** The node the message is about (for a failing jump host: the node that was being reached). */
  public String node() {
    return node;
  }

  /** This failure reported for {@code viaNode}, which was being reached through this one. */
  SshException through(String viaNode) {
    return new SshException(kind, viaNode, "jump host " + getMessage(), this);
  }
}
