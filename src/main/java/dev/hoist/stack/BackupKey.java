package dev.hoist.stack;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.engine.ExecResource;
import dev.hoist.engine.ProbeKind;
import dev.hoist.engine.ProbeRequest;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The data node's own key for off-node copies ({@code backup.to}): made on the node by the data
 * runner ({@code hoist-data key}), whose private half never leaves it. Its public half comes back
 * in the node's probe once it exists (so a no-op deploy stays one round trip), or as the output
 * line of the step that made it. Whatever the node sends is checked here: the target's
 * authorized_keys gets a bare {@code ssh-ed25519 BASE64} and nothing a node could smuggle in.
 */
public final class BackupKey {
  /** The probe's id. */
  public static final String PROBE_ID = "backup-key";

  private static final String PUBLIC = BackupConfig.KEY + ".pub";
  private static final Pattern KEY = Pattern.compile("ssh-ed25519 [A-Za-z0-9+/]{60,100}={0,2}");

  private BackupKey() {}

  /** The exec resource that makes the key when it is missing. */
  static ExecResource resource() {
    return new ExecResource(
        "backup-key",
        List.of(AppLayout.DATA_RUNNER, "key"),
        Optional.empty(),
        Optional.empty(),
        Optional.of(PUBLIC),
        List.of(),
        false);
  }

  /** The step id whose output carries the key on the deploy that made it. */
  public static String stepId() {
    return resource().id();
  }

  /** Reads the public key's file (its text comes along, since no hash is expected). */
  public static ProbeRequest probe() {
    return new ProbeRequest(PROBE_ID, new ProbeKind.File(PUBLIC, ""));
  }

  /** The key in the probe's answer, if the file is there and holds one. */
  public static Optional<String> fromProbe(JsonNode state) {
    return parse(state.path("text").asText(""));
  }

  /**
   * {@code text}'s key as {@code ssh-ed25519 BASE64} (a comment dropped), if it is exactly one
   * ed25519 public key.
   */
  public static Optional<String> parse(String text) {
    String[] words = text.strip().split(" ");
    if (words.length < 2 || text.strip().contains("\n")) {
      return Optional.empty();
    }
    String key = words[0] + " " + words[1];
    return KEY.matcher(key).matches() ? Optional.of(key) : Optional.empty();
  }
}
