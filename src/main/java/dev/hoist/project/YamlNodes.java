package dev.hoist.project;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed reads of YAML nodes; each mismatch is recorded as a {@link SpecProblem} at the node. Public
 * for the other YAML files Hoist reads the same way (the server's {@code server.yml}).
 */
public final class YamlNodes {
  // Reads return empty on a mismatch rather than throw, so one walk finds every problem at once.
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");
  private static final int SHOWN_LENGTH = 60;

  private final String file;
  private final List<SpecProblem> problems = new ArrayList<>();

  public YamlNodes(String file) {
    this.file = file;
  }

  /** The file as shown in messages. */
  public String file() {
    return file;
  }

  /** The problems in file order, which is how an editor walks through them. */
  public List<SpecProblem> problems() {
    return problems.stream()
        .sorted(Comparator.comparingInt(SpecProblem::line).thenComparingInt(SpecProblem::column))
        .toList();
  }

  void problem(Node at, String key, String message, Optional<String> hint) {
    Optional<Mark> mark = at.getStartMark();
    problems.add(
        new SpecProblem(
            file,
            mark.map(m -> m.getLine() + 1).orElse(0),
            mark.map(m -> m.getColumn() + 1).orElse(0),
            key,
            message,
            hint));
  }

  public void problem(Node at, String key, String message, String hint) {
    problem(at, key, message, Optional.of(hint));
  }

  /**
   * A problem at {@code offset} inside a scalar's value (a field of a cron schedule): exact when
   * the scalar is written on one line without escapes, else at the scalar's start.
   */
  void problemInside(ScalarNode at, int offset, String key, String message, String hint) {
    Optional<Mark> start = at.getStartMark();
    Optional<Mark> end = at.getEndMark();
    int quote =
        switch (at.getScalarStyle()) {
          case PLAIN -> 0;
          case SINGLE_QUOTED, DOUBLE_QUOTED -> 1;
          default -> -1;
        };
    boolean exact =
        quote >= 0
            && start.isPresent()
            && end.isPresent()
            && start.get().getLine() == end.get().getLine()
            && end.get().getColumn() - start.get().getColumn()
                == at.getValue().length() + 2 * quote;
    problems.add(
        new SpecProblem(
            file,
            start.map(m -> m.getLine() + 1).orElse(0),
            start.map(m -> m.getColumn() + 1 + (exact ? quote + offset : 0)).orElse(0),
            key,
            message,
            Optional.ofNullable(hint)));
  }

  /** An explicit {@code null}, {@code ~} or nothing after the colon. */
  public static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
  }

  /** How a node shows in "found ..." messages. */
  public static String describe(Node node) {
    return switch (node) {
      case ScalarNode s when isNull(s) -> "nothing";
      case ScalarNode s ->
          "'"
              + (s.getValue().length() > SHOWN_LENGTH
                  ? s.getValue().substring(0, SHOWN_LENGTH) + "..."
                  : s.getValue())
              + "'";
      case SequenceNode q -> "a list";
      case MappingNode m -> "a mapping";
      default -> "a " + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private <T> Optional<T> mismatch(Node node, String key, String expected, String hint) {
    problem(
        node, key, "expected " + expected + ", found " + describe(node), Optional.ofNullable(hint));
    return Optional.empty();
  }

  /** The text of a non-null scalar, exactly as written (numbers and booleans included). */
  public Optional<String> text(Node node, String key, String expected) {
    if (node instanceof ScalarNode scalar && !isNull(scalar)) {
      return Optional.of(scalar.getValue());
    }
    return mismatch(node, key, expected, null);
  }

  /**
   * A scalar run through {@code parser}; an {@link IllegalArgumentException} from it becomes the
   * problem.
   */
  public <T> Optional<T> parse(Node node, String key, String expected, Function<String, T> parser) {
    return text(node, key, expected)
        .flatMap(
            text -> {
              try {
                return Optional.of(parser.apply(text));
              } catch (InvalidValue e) {
                problem(node, key, e.getMessage(), e.hint());
              } catch (IllegalArgumentException e) {
                problem(node, key, e.getMessage(), Optional.empty());
              }
              return Optional.empty();
            });
  }

  public Optional<Integer> integer(Node node, String key, int min, int max) {
    String expected = "a number from " + min + " to " + max;
    return text(node, key, expected)
        .flatMap(
            text -> {
              if (DIGITS.matcher(text).matches()) {
                int value = Integer.parseInt(text);
                if (value >= min && value <= max) {
                  return Optional.of(value);
                }
              }
              return mismatch(node, key, expected, null);
            });
  }

  Optional<Boolean> flag(Node node, String key) {
    return parse(node, key, "true or false", YamlNodes::flag);
  }

  /** true or false (also yes/no, on/off, as YAML 1.1 wrote them). */
  static boolean flag(String text) {
    return switch (text.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default ->
          throw new InvalidValue(
              "expected true or false, found '" + text + "'", "write true or false");
    };
  }

  Optional<Duration> duration(Node node, String key) {
    return parse(
        node,
        key,
        "a duration like 5s or 500ms",
        text -> {
          try {
            return Durations.parse(text);
          } catch (IllegalArgumentException e) {
            throw new InvalidValue(
                e.getMessage(), "write a number followed by ms, s, m or h, e.g. 5s");
          }
        });
  }

  public Optional<List<Node>> list(Node node, String key, String expected) {
    if (node instanceof SequenceNode sequence) {
      return Optional.of(sequence.getValue());
    }
    return mismatch(
        node, key, expected, "write it as a list, e.g. [a, b] or one '- item' per line");
  }

  /**
   * The entries of a mapping with free-form keys (env, static, ...), without duplicate or
   * non-scalar keys.
   */
  public Optional<List<NodeTuple>> entries(Node node, String key, String expected) {
    if (!(node instanceof MappingNode mapping)) {
      return mismatch(node, key, expected, null);
    }
    List<NodeTuple> entries = new ArrayList<>();
    Map<String, Node> seen = new HashMap<>();
    for (NodeTuple entry : mapping.getValue()) {
      Node keyNode = entry.getKeyNode();
      if (!(keyNode instanceof ScalarNode scalar) || isNull(keyNode)) {
        problem(
            keyNode,
            key,
            "expected a plain key, found " + describe(keyNode),
            "keys are single words or paths");
        continue;
      }
      Node first = seen.putIfAbsent(scalar.getValue(), keyNode);
      if (first != null) {
        problem(
            keyNode,
            child(key, scalar.getValue()),
            "duplicate key; it is already set on line "
                + first.getStartMark().map(m -> m.getLine() + 1).orElse(0),
            "remove one of them");
        continue;
      }
      entries.add(entry);
    }
    return Optional.of(entries);
  }

  /**
   * A mapping with a fixed set of keys; unknown keys are reported with a did-you-mean hint, keys in
   * {@code notYet} with a note that this version of hoist does not support them.
   */
  public Optional<Fields> fields(Node node, String key, List<String> allowed, Set<String> notYet) {
    Optional<List<NodeTuple>> entries =
        entries(node, key, "a mapping with keys such as " + allowed.getFirst());
    if (entries.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Node> values = new HashMap<>();
    for (NodeTuple entry : entries.get()) {
      Node keyNode = entry.getKeyNode();
      String name = ((ScalarNode) keyNode).getValue();
      if (allowed.contains(name)) {
        values.put(name, entry.getValueNode());
      } else if (notYet.contains(name)) {
        problem(
            keyNode,
            child(key, name),
            "unknown key",
            "'"
                + name
                + "' is not supported yet by this version of hoist; remove it or upgrade hoist");
      } else {
        problem(
            keyNode, child(key, name), "unknown key", Suggestions.unknownKeyHint(name, allowed));
      }
    }
    return Optional.of(new Fields(this, node, key, values));
  }

  public static String child(String parent, String name) {
    return parent.isEmpty() ? name : parent + "." + name;
  }
}
