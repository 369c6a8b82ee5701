package dev.hoist.project;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a backup target ({@code backup.to}) keeps each data node's copies: every data node has a
 * user of its own there ({@code hoist-backup-<node>}), with a root-owned home under {@link #NODES},
 * so a data node that is taken over cannot write into another node's directories. Before, all data
 * nodes shared the user {@link #LEGACY_USER} (home {@link #ROOT}); a deploy moves them off it.
 */
public final class TargetLayout {
  /** The parent of every data node's home; the shared user's home before. */
  public static final String ROOT = "/var/lib/hoist-backup";

  /** The homes of the data nodes' users. */
  public static final String NODES = ROOT + "/nodes";

  /** The user every data node shared before (its key lines are marked {@code hoist-backup@N}). */
  public static final String LEGACY_USER = "hoist-backup";

  private static final String PREFIX = "hoist-backup-";
  private static final int MAX_USER = 32;

  private TargetLayout() {}

  /**
   * {@code dataNode}'s user on the target: {@code hoist-backup-<node>} with dots as dashes, cut to
   * Linux's 32 characters with a hash of the whole name when it is longer.
   */
  public static String user(String dataNode) {
    String name = PREFIX + dataNode.replace('.', '-');
    if (name.length() <= MAX_USER) {
      return name;
    }
    String hash = sha256(dataNode).substring(0, 6);
    return name.substring(0, MAX_USER - hash.length() - 1) + "-" + hash;
  }

  /** {@code dataNode}'s home on the target (root 0755, its authorized_keys in .ssh). */
  public static String home(String dataNode) {
    return NODES + "/" + dataNode;
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
