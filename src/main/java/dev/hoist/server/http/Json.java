package dev.hoist.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hoist.server.history.DeployRecord;
import dev.hoist.server.history.NodeOutcome;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The API's JSON: snake_case maps built by hand, so the wire shape is written down here. */
final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
    }
  }

  /**
   * The request body as a JSON object; an empty body is {@code {}}.
   *
   * @throws Problem 400 if it is not a JSON object
   */
  static JsonNode object(byte[] body) {
    if (body.length == 0) {
      return MAPPER.createObjectNode();
    }
    try {
      JsonNode node = MAPPER.readTree(body);
      if (node != null && node.isObject()) {
        return node;
      }
    } catch (java.io.IOException e) {
      // answered below
    }
    throw new Problem(
        400, "the body is not a JSON object", "send {} or {\"commit\": \"<40-hex commit>\"}");
  }

  static Map<String, Object> error(String error, String fix) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("error", error);
    map.put("fix", fix);
    return map;
  }

  /** A deploy in the API's shape (SERVER.md, seam 2). */
  static Map<String, Object> deploy(DeployRecord d) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", d.id());
    map.put("project", d.project());
    map.put("kind", d.kind().word());
    map.put("commit", d.commit().isEmpty() ? null : d.commit());
    map.put("author", d.author());
    map.put("message", d.message());
    map.put("trigger", d.trigger());
    map.put("status", d.status().word());
    map.put("error", d.error().orElse(null));
    map.put("queued_at", d.queuedAt().toString());
    map.put("started_at", d.startedAt().map(Instant::toString).orElse(null));
    map.put("finished_at", d.finishedAt().map(Instant::toString).orElse(null));
    map.put("duration_ms", d.duration().map(x -> x.toMillis()).orElse(null));
    map.put("superseded_by", d.supersededBy().orElse(null));
    Map<String, Object> phases = new LinkedHashMap<>();
    for (String phase : List.of("fetch", "build", "deploy")) {
      phases.put(
          phase + "_ms",
          Optional.ofNullable(d.phases().get(phase)).map(x -> x.toMillis()).orElse(null));
    }
    map.put("phases", phases);
    map.put("nodes", d.nodes().stream().map(Json::node).toList());
    return map;
  }

  private static Map<String, Object> node(NodeOutcome n) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("node", n.node());
    map.put("outcome", n.result());
    map.put("release", n.release().orElse(null));
    return map;
  }
}
