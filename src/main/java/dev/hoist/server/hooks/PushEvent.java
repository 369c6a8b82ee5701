package dev.hoist.server.hooks;

import java.util.List;
import java.util.Optional;

/**
 * What a verified push says: the ref, the commits before and after, who pushed and the head
 * commit's message, and the paths its commits changed when the payload lists all of them (empty
 * when it cannot: a new branch, a forced push, a list the provider cut short).
 */
public record PushEvent(
    String ref,
    String before,
    String after,
    String author,
    String message,
    Optional<List<String>> changedPaths) {
  private static final String BRANCH_PREFIX = "refs/heads/";

  /** The branch pushed to, or empty for a tag or another ref. */
  public Optional<String> branch() {
    return ref.startsWith(BRANCH_PREFIX)
        ? Optional.of(ref.substring(BRANCH_PREFIX.length()))
        : Optional.empty();
  }

  /** A push that deleted the ref: its new commit is all zeros. */
  public boolean deleted() {
    return isZero(after);
  }

  static boolean isZero(String commit) {
    return commit.chars().allMatch(c -> c == '0');
  }
}
