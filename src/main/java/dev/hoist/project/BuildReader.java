package dev.hoist.project;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads {@code build:}: a list of shell commands, or {@code {run: [...], timeout: 20m}} when the
 * default timeout does not fit.
 */
final class BuildReader {
  private static final String EXAMPLE = "build: [npm ci, npm run build]";
  private final YamlNodes nodes;

  BuildReader(YamlNodes nodes) {
    this.nodes = nodes;
  }

  BuildSpec read(Node node) {
    if (!(node instanceof MappingNode)) {
      return new BuildSpec(commands(node, "build"), BuildSpec.DEFAULT_TIMEOUT);
    }
    Optional<Fields> fields = nodes.fields(node, "build", List.of("run", "timeout"), Set.of());
    if (fields.isEmpty()) {
      return BuildSpec.none();
    }
    List<BuildSpec.Command> commands =
        fields
            .get()
            .required("run", "run: [npm ci, npm run build]")
            .map(n -> commands(n, "build.run"))
            .orElse(List.of());
    Duration timeout =
        fields
            .get()
            .get("timeout")
            .flatMap(n -> nodes.duration(n, "build.timeout"))
            .orElse(BuildSpec.DEFAULT_TIMEOUT);
    return new BuildSpec(commands, timeout);
  }

  private List<BuildSpec.Command> commands(Node node, String key) {
    List<BuildSpec.Command> commands = new ArrayList<>();
    Optional<List<Node>> items = nodes.list(node, key, "a list of shell commands");
    if (items.isPresent() && items.get().isEmpty()) {
      nodes.problem(
          node, key, "the list of commands is empty", "write " + EXAMPLE + " or remove it");
    }
    for (Node item : items.orElse(List.of())) {
      Optional<String> text = nodes.text(item, key, "a shell command");
      if (text.isPresent() && text.get().isBlank()) {
        nodes.problem(item, key, "the command is empty", "write a command, e.g. 'npm run build'");
      } else if (text.isPresent()) {
        var mark = item.getStartMark();
        commands.add(
            new BuildSpec.Command(
                text.get(),
                nodes.file(),
                mark.map(m -> m.getLine() + 1).orElse(0),
                mark.map(m -> m.getColumn() + 1).orElse(0)));
      }
    }
    return commands;
  }
}
