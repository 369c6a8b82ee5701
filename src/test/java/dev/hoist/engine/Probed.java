package dev.hoist.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Probe states shaped like the agent's {@code probe()} answers (see agent.py), for planner tests.
 */
final class Probed {
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

  private Probed() {}

  /** Parses JSON written with single quotes, to keep the tests readable. */
  static ObjectNode json(String singleQuoted) {
    try {
      return (ObjectNode) JSON.readTree(singleQuoted);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(singleQuoted, e);
    }
  }

  /** A path, user or group that does not exist. */
  static ObjectNode absent() {
    return json("{'exists': false}");
  }

  /** A user or group that exists. */
  static ObjectNode exists() {
    return json("{'exists': true}");
  }

  /** A package: {@code null} when dpkg does not have it installed. */
  static ObjectNode pkg(String version) {
    return JSON.createObjectNode().put("version", version);
  }

  static ObjectNode path(String type, String owner, String group, String mode) {
    return JSON.createObjectNode()
        .put("exists", true)
        .put("type", type)
        .put("owner", owner)
        .put("group", group)
        .put("mode", mode);
  }

  static ObjectNode dir(String owner, String group, String mode) {
    return path("dir", owner, group, mode);
  }

  /**
   * A regular file; the agent sends its text along because its hash differs from the wanted one.
   */
  static ObjectNode file(String text, String owner, String group, String mode) {
    return path("file", owner, group, mode).put("sha256", sha256(text)).put("text", text);
  }

  /** A regular file whose content is exactly what {@code wanted} holds (so no text is sent). */
  static ObjectNode sameFile(FileResource wanted) {
    Attributes a = wanted.attributes();
    return path("file", a.owner(), a.group(), a.mode()).put("sha256", wanted.sha256());
  }

  static ObjectNode link(String target) {
    return path("link", "root", "root", "0777").put("target", target);
  }

  /** A runit service that is enabled and up, under a live runsvdir. */
  static ObjectNode running() {
    return json(
        "{'enabled': true, 'state': 'run', 'pid': 42, 'uptime': 100, 'supervisor_running': true}");
  }

  /** What the agent reports when reading a resource raised. */
  static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  static String sha256(String text) {
    return FileResource.of("/x", text, Attributes.of(null, null, null)).sha256();
  }
}
