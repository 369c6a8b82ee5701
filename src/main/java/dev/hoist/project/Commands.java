package dev.hoist.project;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/** Reads the parts of hoist.yml that hold commands: {@code processes} and {@code release}. */
final class Commands {
  static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);
  private static final String COMMAND = "a command (a string or a list of words)";

  private final YamlNodes nodes;

  Commands(YamlNodes nodes) {
    this.nodes = nodes;
  }

  /**
   * A command as argv: a string split like sh would (no expansion), or a list of words taken as
   * they are.
   */
  Optional<List<String>> argv(Node node, String key) {
    Optional<List<String>> argv =
        switch (node) {
          case ScalarNode s when !YamlNodes.isNull(s) ->
              nodes.parse(node, key, COMMAND, ShellWords::split);
          case SequenceNode list -> words(list, key);
          default -> {
            nodes.problem(
                node,
                key,
                "expected " + COMMAND + ", found " + YamlNodes.describe(node),
                "e.g. 'celery -A proj worker'");
            yield Optional.empty();
          }
        };
    if (argv.isPresent() && argv.get().isEmpty()) {
      nodes.problem(
          node,
          key,
          "the command is empty",
          "write the program and its arguments, e.g. 'celery -A proj worker'");
      return Optional.empty();
    }
    return argv;
  }

  private Optional<List<String>> words(SequenceNode list, String key) {
    List<String> words = new ArrayList<>();
    boolean ok = true;
    for (Node item : list.getValue()) {
      Optional<String> word = nodes.text(item, key, "a word of the command");
      word.ifPresent(words::add);
      ok &= word.isPresent();
    }
    return ok ? Optional.of(List.copyOf(words)) : Optional.empty();
  }

  Map<String, ProcessSpec> processes(Node node) {
    Map<String, ProcessSpec> processes = new LinkedHashMap<>();
    for (NodeTuple entry :
        nodes
            .entries(node, "processes", "a mapping of process names to commands")
            .orElse(List.of())) {
      Optional<String> name =
          nodes.parse(entry.getKeyNode(), "processes", "a process name", Values::processName);
      String key = "processes." + ((ScalarNode) entry.getKeyNode()).getValue();
      Optional<ProcessSpec> process = process(entry.getValueNode(), key, name.orElse(""));
      if (name.isPresent() && process.isPresent()) {
        processes.put(name.get(), process.get());
      }
    }
    return Collections.unmodifiableMap(processes);
  }

  private Optional<ProcessSpec> process(Node node, String key, String name) {
    if (!(node instanceof MappingNode)) {
      return argv(node, key).map(argv -> new ProcessSpec(name, argv, DEFAULT_STOP_TIMEOUT));
    }
    Optional<Fields> fields = nodes.fields(node, key, List.of("command", "stop_timeout"), Set.of());
    if (fields.isEmpty()) {
      return Optional.empty();
    }
    Optional<List<String>> argv =
        fields
            .get()
            .required("command", "command: celery -A proj worker")
            .flatMap(n -> argv(n, key + ".command"));
    Optional<Duration> stop =
        fields
            .get()
            .get("stop_timeout")
            .map(n -> nodes.duration(n, key + ".stop_timeout"))
            .orElse(Optional.of(DEFAULT_STOP_TIMEOUT));
    return argv.flatMap(a -> stop.map(s -> new ProcessSpec(name, a, s)));
  }

  ReleaseSpec release(Node node) {
    ReleaseSpec defaults = ReleaseSpec.defaults();
    Optional<Fields> fields =
        nodes.fields(
            node,
            "release",
            List.of("keep", "before_activate", "run_once", "hook_timeout"),
            Set.of());
    if (fields.isEmpty()) {
      return defaults;
    }
    int keep =
        fields
            .get()
            .get("keep")
            .flatMap(n -> nodes.integer(n, "release.keep", 1, 100))
            .orElse(defaults.keep());
    Duration hookTimeout =
        fields
            .get()
            .get("hook_timeout")
            .flatMap(n -> nodes.duration(n, "release.hook_timeout"))
            .orElse(defaults.hookTimeout());
    return new ReleaseSpec(
        keep, hooks(fields.get(), "before_activate"), hooks(fields.get(), "run_once"), hookTimeout);
  }

  private List<List<String>> hooks(Fields fields, String name) {
    String key = "release." + name;
    List<List<String>> hooks = new ArrayList<>();
    fields
        .get(name)
        .flatMap(n -> nodes.list(n, key, "a list of commands"))
        .ifPresent(items -> items.forEach(item -> argv(item, key).ifPresent(hooks::add)));
    return hooks;
  }
}
