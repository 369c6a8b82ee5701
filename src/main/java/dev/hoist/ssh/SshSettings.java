package dev.hoist.ssh;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What every SSH connection of this process shares: how to ask for key passphrases, and the
 * ssh-agent socket (null: no agent).
 */
public record SshSettings(Passphrases passphrases, Path agentSocket) {
  public SshSettings {
    Objects.requireNonNull(passphrases, "passphrases (use Passphrases.NONE)");
  }

  /** The agent from {@code $SSH_AUTH_SOCK}, if set; passphrases asked through {@code passphrases}. */
  public static SshSettings fromEnvironment(Passphrases passphrases) {
    String socket = System.getenv("SSH_AUTH_SOCK");
    return new SshSettings(
        passphrases, socket == null || socket.isBlank() ? null : Path.of(socket));
  }
}
