package dev.hoist.project;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a backup target ({@code backup.to}) keeps each data node's copies: every data node machine
 * has a user of its own there, named from the node's name and a hash of its SSH host key as the
 * admin's known_hosts verified it ({@link #account}), with a root-owned home under {@link #NODES}.
 * Two machines never share one, even when two projects give them the same name, and a data node
 * that is taken over cannot make itself another's. Before, each data node had a user named from its
 * name alone ({@link #legacy}), and before that all shared {@link #LEGACY_USER} (home {@link
 * #ROOT}); a deploy moves a node off both.
 */
public final class TargetLayout {
  /** The parent of every data node's home; the shared user's home before. */
  public static final String ROOT = "/var/lib/hoist-backup";

  /** The homes of the data nodes' users. */
  public static final String NODES = ROOT + "/nodes";

  /** The user every data node shared before (its key lines are marked {@code hoist-backup@N}). */
  public static final String LEGACY_USER = "hoist-backup";

  /** Every user hoist makes on a target starts with this (the shared one of before too). */
  public static final String USER_PREFIX = "hoist-b";

  private static final String PREFIX = "hoist-bk-";
  private static final String LEGACY_PREFIX = "hoist-backup-";
  private static final int MAX_USER = 32;
  private static final int HASH = 10;

  /** A data node's user on the target and its home (root 0755, authorized_keys in .ssh). */
  public record Account(String user, String home) {
    /** The record of the node's apps there: app → copy directory. */
    public String record() {
      return home + "/apps.json";
    }

    /** Its authorized_keys. */
    public String authorizedKeys() {
      return home + "/.ssh/authorized_keys";
    }
  }

  private TargetLayout() {}

  /**
   * The account of data node {@code dataNode} whose SSH host key is {@code hostKey} ("ssh-ed25519
   * AAAA..."): {@code hoist-bk-<name>-<10 hex of the key's SHA-256>}, the name cut so the user fits
   * Linux's 32 characters; its home is {@code nodes/<name>-<hex>}.
   */
  public static Account account(String dataNode, String hostKey) {
    String hash = sha256(hostKey.strip()).substring(0, HASH);
    String slug = dataNode.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    int room = MAX_USER - PREFIX.length() - HASH - 1;
    slug = slug.substring(0, Math.min(room, slug.length())).replaceAll("^-+|-+$", "");
    String id = slug.isEmpty() ? hash : slug + "-" + hash;
    return new Account(PREFIX + id, NODES + "/" + id);
  }

  /**
   * The account a deploy of before gave {@code dataNode}: {@code hoist-backup-<node>} (dots as
   * dashes, a long name cut with a hash of it), home {@code nodes/<node>}. Two machines of the same
   * name shared it, so a deploy touches it only where it holds this node's key.
   */
  public static Account legacy(String dataNode) {
    String name = LEGACY_PREFIX + dataNode.replace('.', '-');
    if (name.length() > MAX_USER) {
      String hash = sha256(dataNode).substring(0, 6);
      name = name.substring(0, MAX_USER - hash.length() - 1) + "-" + hash;
    }
    return new Account(name, NODES + "/" + dataNode);
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
