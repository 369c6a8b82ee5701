package dev.hoist.stack;

import dev.hoist.project.TargetLayout;
import java.util.Optional;

/**
 * A data node as a backup target sees it: its name in the inventory, its account there (from its
 * host key as the admin's known_hosts verified it, {@link TargetLayout#account}), and its copy key
 * as the node reported it ({@link BackupKey#parse}d), when the deploy heard one. Only the account
 * is vouched for by the admin's side: what was set up before under the node's name alone ({@link
 * TargetLayout#legacy}, the shared user's lines) is touched only where it holds this key.
 */
public record CopySource(String node, TargetLayout.Account account, Optional<String> key) {
  /** The account a deploy of before made for a node of this name (maybe another machine's). */
  public TargetLayout.Account legacy() {
    return TargetLayout.legacy(node);
  }

  /** Whether {@code authorizedKeys} (a file's text) has a line of this node's key. */
  boolean heldIn(String authorizedKeys) {
    return key.isPresent()
        && authorizedKeys.lines().anyMatch(l -> (l + " ").contains(" " + key.get() + " "));
  }
}
