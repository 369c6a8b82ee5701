package dev.hoist.project;

import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;

/** The values of one YAML mapping whose keys were checked; an empty value means "not given". */
public final class Fields {
  private final YamlNodes nodes;
  private final Node mapping;
  private final String path;
  private final Map<String, Node> values;

  Fields(YamlNodes nodes, Node mapping, String path, Map<String, Node> values) {
    this.nodes = nodes;
    this.mapping = mapping;
    this.path = path;
    this.values = values;
  }

  /** The value of an optional key; {@code key:} with nothing after it means "use the default". */
  public Optional<Node> get(String name) {
    return Optional.ofNullable(values.get(name)).filter(node -> !YamlNodes.isNull(node));
  }

  /**
   * The value of a required key, or a problem (at the mapping, or at the empty value) suggesting
   * {@code example}.
   */
  public Optional<Node> required(String name, String example) {
    Node value = values.get(name);
    String hint = "add e.g. '" + example + "'";
    if (value == null) {
      nodes.problem(mapping, key(name), "required key is missing", hint);
      return Optional.empty();
    }
    if (YamlNodes.isNull(value)) {
      nodes.problem(value, key(name), "required key has no value", hint);
      return Optional.empty();
    }
    return Optional.of(value);
  }

  /** The dotted path of one of these keys, for problem messages. */
  public String key(String name) {
    return YamlNodes.child(path, name);
  }
}
