package dev.hoist.ssh;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What every SSH connection of this process shares: how to ask for key passphrases, the ssh-agent
 * socket (null: no agent), and whether a post-quantum hybrid key exchange is preferred over
 * curve25519-sha256.
 */
public record SshSettings(Passphrases passphrases, Path agentSocket, boolean postQuantumFirst) {
  public SshSettings {
    Objects.requireNonNull(passphrases, "passphrases (use Passphrases.NONE)");
  }

  /** curve25519-sha256 first. */
  public SshSettings(Passphrases passphrases, Path agentSocket) {
    this(passphrases, agentSocket, false);
  }

  /**
   * The agent from {@code $SSH_AUTH_SOCK}, if set; passphrases asked through {@code passphrases};
   * {@code HOIST_SSH_KEX=post-quantum} prefers the post-quantum hybrids.
   */
  public static SshSettings fromEnvironment(Passphrases passphrases) {
    String socket = System.getenv("SSH_AUTH_SOCK");
    return new SshSettings(
        passphrases,
        socket == null || socket.isBlank() ? null : Path.of(socket),
        "post-quantum".equals(System.getenv("HOIST_SSH_KEX")));
  }
}
