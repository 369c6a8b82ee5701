package dev.hoist.server.hooks;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a push payload (GitHub's, Gitea's and Forgejo's, GitLab's, or the generic form in GitHub's
 * shape) after its signature held. A payload without a ref or a commit id is malformed.
 */
final class PushParser {
  // SHA-1 or SHA-256 object names; the commit goes to git later, so nothing else may pass.
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  // GitHub lists at most 2048 commits in a push payload; a list that long may be cut short.
  private static final int GITHUB_MAX_COMMITS = 2048;
  private static final ObjectMapper JSON = new ObjectMapper();

  private PushParser() {}

  /**
   * The push in {@code body}.
   *
   * @throws MalformedPayload naming what is missing or not JSON
   */
  static PushEvent parse(byte[] body) throws MalformedPayload {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw new MalformedPayload("the body is not JSON: " + e.getOriginalMessage());
    } catch (java.io.IOException e) {
      throw new MalformedPayload("the body cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new MalformedPayload("the body is not a JSON object");
    }
    String ref = text(root, "ref").orElseThrow(() -> new MalformedPayload("the push has no ref"));
    String after = commit(root, "after");
    String before = text(root, "before").filter(b -> COMMIT.matcher(b).matches()).orElse("");
    return new PushEvent(
        ref, before, after, author(root), message(root, after), changedPaths(root, before));
  }

  private static String commit(JsonNode root, String field) throws MalformedPayload {
    Optional<String> value = text(root, field);
    if (value.isEmpty() || !COMMIT.matcher(value.get()).matches()) {
      throw new MalformedPayload("the push's '" + field + "' is not a commit id");
    }
    return value.get();
  }

  private static Optional<String> text(JsonNode node, String... path) {
    JsonNode at = node;
    for (String field : path) {
      at = at.path(field);
    }
    return at.isTextual() && !at.asText().isBlank() ? Optional.of(at.asText()) : Optional.empty();
  }

  private static String author(JsonNode root) {
    return text(root, "head_commit", "author", "name")
        .or(() -> text(root, "user_name"))
        .or(() -> text(root, "pusher", "name"))
        .or(() -> text(root, "pusher", "login"))
        .or(() -> text(root, "pusher", "username"))
        .orElse("");
  }

  private static String message(JsonNode root, String after) {
    Optional<String> head = text(root, "head_commit", "message");
    if (head.isPresent()) {
      return head.get();
    }
    for (JsonNode commit : root.path("commits")) {
      if (after.equals(commit.path("id").asText())) {
        return commit.path("message").asText("");
      }
    }
    return "";
  }

  /**
   * Every path the pushed commits added, modified or removed, when the payload lists them all;
   * empty when it may not.
   */
  private static Optional<List<String>> changedPaths(JsonNode root, String before) {
    JsonNode commits = root.path("commits");
    int total =
        root.path("total_commits_count").asInt(root.path("total_commits").asInt(commits.size()));
    if (before.isEmpty()
        || PushEvent.isZero(before)
        || root.path("forced").asBoolean(false)
        || !commits.isArray()
        || commits.isEmpty()
        || commits.size() < total
        || commits.size() >= GITHUB_MAX_COMMITS) {
      return Optional.empty();
    }
    Set<String> paths = new LinkedHashSet<>();
    for (JsonNode commit : commits) {
      for (String kind : List.of("added", "modified", "removed")) {
        JsonNode list = commit.path(kind);
        if (!list.isArray()) {
          return Optional.empty();
        }
        list.forEach(p -> paths.add(p.asText()));
      }
    }
    return Optional.of(new ArrayList<>(paths));
  }

  /** A payload that is not a push Hoist can read (400). */
  static final class MalformedPayload extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedPayload(String message) {
      super(message);
    }
  }
}
