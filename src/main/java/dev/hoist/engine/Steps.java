package dev.hoist.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;

/** Builds the JSON objects of the agent protocol (probe requests and apply steps). */
public final class Steps {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Steps() {}

  /** A probe request or apply step: {@code {"id": id, <key>: value}}. */
  public static ObjectNode object(String id, String key, String value) {
    return JSON.createObjectNode().put("id", id).put(key, value);
  }

  /** An apply step running agent operation {@code op}. */
  public static ObjectNode step(String id, String op) {
    return object(id, "do", op);
  }

  /** A probe request of the given kind. */
  public static ObjectNode probe(String id, String kind) {
    return object(id, "kind", kind);
  }

  public static ArrayNode array(Collection<String> values) {
    ArrayNode array = JSON.createArrayNode();
    values.forEach(array::add);
    return array;
  }

  public static ObjectMapper json() {
    return JSON;
  }
}
