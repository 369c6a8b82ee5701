package dev.hoist.ssh;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.client.auth.pubkey.PublicKeyAuthenticationReporter;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * The keys one session offers: the target's key files (MINA offers ssh-agent's keys before them, as
 * ssh does), which ones the server saw, and why others were not offered, for the message when every
 * one is refused.
 */
final class KeyOffers implements PublicKeyAuthenticationReporter {
  /** A key loaded from a file, to name the file when it is tried. */
  private record FileKey(PublicKey key, Path file) {}

  private final List<FileKey> fileKeys = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> tried = new CopyOnWriteArrayList<>();
  private final boolean agentHasKeys;
  private final boolean noKeyFiles;

  private KeyOffers(boolean agentHasKeys, boolean noKeyFiles) {
    this.agentHasKeys = agentHasKeys;
    this.noKeyFiles = noKeyFiles;
  }

  /** Adds the target's key files to {@code session} and reports what it tried to the result. */
  static KeyOffers add(
      SshTarget target, ClientSession session, IdentityFiles identityFiles, Path agentSocket) {
    List<PublicKey> agentKeys = agentKeys(agentSocket);
    List<Path> keyFiles = target.keysToOffer();
    KeyOffers offers = new KeyOffers(!agentKeys.isEmpty(), keyFiles.isEmpty());
    for (Path file : keyFiles) {
      PublicKey beside = IdentityFiles.publicKeyBeside(file);
      if (beside != null && agentKeys.stream().anyMatch(k -> KeyUtils.compareKeys(k, beside))) {
        continue; // the agent offers it: no passphrase prompt for a key the agent holds
      }
      IdentityFiles.Loaded loaded = identityFiles.load(file);
      if (loaded.note() != null) {
        offers.notes.add(loaded.note());
      }
      for (KeyPair key : loaded.keys()) {
        session.addPublicKeyIdentity(key);
        offers.fileKeys.add(new FileKey(key.getPublic(), file));
      }
    }
    session.setPublicKeyAuthenticationReporter(offers);
    return offers;
  }

  private static List<PublicKey> agentKeys(Path socket) {
    if (socket == null) {
      return List.of();
    }
    try (AgentClient agent = AgentClient.connect(socket)) {
      return agent.getIdentities().stream().map(Map.Entry::getKey).toList();
    } catch (IOException e) {
      return List.of(); // an unreachable agent is skipped, as ssh does
    }
  }

  @Override
  public void signalAuthenticationAttempt(
      ClientSession session, String service, KeyPair identity, String signature) {
    PublicKey key = identity.getPublic();
    String described = KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    String label =
        fileKeys.stream()
            .filter(f -> KeyUtils.compareKeys(f.key(), key))
            .map(f -> f.file() + " (" + described + ")")
            .findFirst()
            .orElse("agent key " + described);
    if (!tried.contains(label)) {
      tried.add(label);
    }
  }

  /** "USER@HOST:PORT refused every key offered: ...; not offered: ...", one line. */
  String refusal(SshTarget target) {
    String who = target.user() + "@" + target.address();
    StringBuilder text = new StringBuilder();
    if (tried.isEmpty()) {
      text.append("no key to offer to ").append(who);
      if (noKeyFiles) {
        text.append(" (no identity file: none of ~/.ssh/id_ed25519, id_ecdsa, id_rsa exists)");
      }
      if (!agentHasKeys) {
        text.append(" and no key in ssh-agent (is $SSH_AUTH_SOCK set? ssh-add -l lists its keys)");
      }
    } else {
      text.append(who).append(" refused every key offered: ").append(String.join(", ", tried));
    }
    if (!notes.isEmpty()) {
      text.append("; not offered: ").append(String.join("; ", notes));
    }
    return text.toString();
  }
}
