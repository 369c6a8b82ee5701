package dev.hoist.cli;

import dev.hoist.fleet.FleetNode;
import dev.hoist.ssh.SshNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What names a data node's account on a backup target: its SSH host key as this machine's
 * known_hosts verified it, so two machines never share an account and a data node that is taken
 * over cannot claim another's. This machine's own host key (or machine id) when the data node is
 * this machine. docs/backups.md "Copies to another node".
 */
final class DataNodeIdentity {
  private static final Path HOST_KEY = Path.of("/etc/ssh/ssh_host_ed25519_key.pub");
  private static final Path MACHINE_ID = Path.of("/etc/machine-id");

  private DataNodeIdentity() {}

  /** {@code dataNode}'s host key ("ssh-ed25519 AAAA..."), verified by a connection made now. */
  static String of(Session s, FleetNode dataNode) throws CommandException, InterruptedException {
    if (s.local()) {
      return local();
    }
    try (SshNode node = s.sshNode(s.fullInventory(), dataNode.spec())) {
      return node.hostKey().openSsh();
    } catch (IOException e) {
      throw new CommandException(
          ExitCode.NODE,
          "backup.to: cannot reach the data node "
              + dataNode.name()
              + " to read its host key: "
              + e.getMessage());
    }
  }

  private static String local() throws CommandException {
    try {
      if (Files.isReadable(HOST_KEY)) {
        String[] words = Files.readString(HOST_KEY).strip().split("\\s+");
        if (words.length >= 2) {
          return words[0] + " " + words[1];
        }
      }
      String id = Files.readString(MACHINE_ID).strip();
      if (!id.isEmpty()) {
        return "machine-id " + id;
      }
    } catch (IOException e) {
      // Named below.
    }
    throw new CommandException(
        ExitCode.FAILED,
        "backup.to: this machine has neither "
            + HOST_KEY
            + " nor "
            + MACHINE_ID
            + ", which name its account on the copy target; install openssh-server or run"
            + " systemd-machine-id-setup");
  }
}
