package dev.hoist.release;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The releases on a node as probed: which is current, which was before, and each one's metadata.
 */
public record ReleaseState(
    Optional<String> current, Optional<String> previous, List<Release> releases) {

  /** One release directory. */
  public record Release(
      String id, String hash, String created, boolean failed, boolean incomplete) {}

  public static ReleaseState from(JsonNode probed) {
    List<Release> list = new ArrayList<>();
    for (JsonNode r : probed.path("releases")) {
      list.add(
          new Release(
              r.path("id").asText(),
              r.path("hash").asText(""),
              r.path("created").asText(""),
              r.path("failed").asBoolean(),
              r.path("incomplete").asBoolean()));
    }
    return new ReleaseState(text(probed, "current"), text(probed, "previous"), List.copyOf(list));
  }

  private static Optional<String> text(JsonNode node, String key) {
    JsonNode v = node.path(key);
    return v.isTextual() && !v.asText().isEmpty() ? Optional.of(v.asText()) : Optional.empty();
  }

  public Optional<Release> find(String id) {
    return releases.stream().filter(r -> r.id().equals(id)).findFirst();
  }

  /** The release that is live, if its metadata is readable. */
  public Optional<Release> live() {
    return current.flatMap(this::find);
  }

  /**
   * A release newer than the live one, complete and not failed: prepared by a rolling deploy and
   * not yet switched to on this node. With {@code hash}, only one built from that code.
   */
  public Optional<Release> prepared(Optional<String> hash) {
    Release newest = null;
    for (Release r : releases) {
      boolean newer = current.isEmpty() || r.id().compareTo(current.get()) > 0;
      if (newer
          && !r.failed()
          && !r.incomplete()
          && hash.map(h -> h.equals(r.hash())).orElse(true)) {
        newest = r;
      }
    }
    return Optional.ofNullable(newest);
  }

  /**
   * The release a rollback goes to: the newest complete, healthy release older than the live one
   * (so rolling back twice goes back twice, never forward again).
   */
  public Optional<Release> rollbackTarget() {
    Release best = null;
    for (Release r : releases) {
      if (current.isPresent() && r.id().compareTo(current.get()) >= 0) {
        break;
      }
      if (!r.failed() && !r.incomplete()) {
        best = r;
      }
    }
    return Optional.ofNullable(best);
  }
}
