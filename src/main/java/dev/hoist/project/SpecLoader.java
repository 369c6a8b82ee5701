package dev.hoist.project;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/** Reads a project's {@code hoist.yml} into a {@link Spec}, reporting every problem in place. */
public final class SpecLoader {
  static final String FILE_NAME = "hoist.yml";

  private SpecLoader() {}

  /**
   * Loads {@code <dir>/hoist.yml}, or the given yml file, whose parent is then the project
   * directory. Problems name the file as given (e.g. {@code examples/hello/hoist.yml}).
   *
   * @throws SpecException listing every problem found: missing file, YAML syntax, or schema; never
   *     a partial spec
   * @throws IOException if the file exists but cannot be read
   */
  public static Spec load(Path projectDirOrFile) throws SpecException, IOException {
    return load(projectDirOrFile, false);
  }

  /**
   * Loads a pushed commit's hoist.yml that {@code hoist server} deploys as its own user (maybe
   * root): as {@link #load(Path)}, but the files it names must be the project's, and it names no
   * SSH key or known_hosts (the server's own are used).
   */
  public static Spec loadPushed(Path projectDirOrFile) throws SpecException, IOException {
    return load(projectDirOrFile, true);
  }

  private static Spec load(Path projectDirOrFile, boolean pushed)
      throws SpecException, IOException {
    // A missing path that is not a yml file is most likely a project directory not made yet.
    boolean isDir =
        Files.isDirectory(projectDirOrFile)
            || (!Files.exists(projectDirOrFile) && !isYaml(projectDirOrFile));
    Path file = isDir ? projectDirOrFile.resolve(FILE_NAME) : projectDirOrFile;
    Path projectDir = isDir ? projectDirOrFile : parentOf(projectDirOrFile);
    String shown = file.toString();
    if (!Files.isRegularFile(file)) {
      throw missing(shown, projectDir, file.getFileName().toString());
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      throw single(shown, 0, 0, "the file is not UTF-8 text", "save it as UTF-8");
    }
    Node root = compose(text, shown).orElse(null);
    if (root == null || YamlNodes.isNull(root)) {
      throw single(
          shown,
          0,
          0,
          file.getFileName() + " is empty",
          "add at least 'app: NAME' and 'wsgi: module:callable'");
    }
    YamlNodes nodes = new YamlNodes(shown);
    Optional<Spec> spec = new SpecWalker(nodes, projectDir, file, pushed).walk(root);
    if (spec.isEmpty()) {
      throw new SpecException(nodes.problems());
    }
    return spec.get();
  }

  private static Path parentOf(Path file) {
    Path parent = file.getParent();
    return parent == null ? Path.of("") : parent;
  }

  private static boolean isYaml(Path path) {
    String name = String.valueOf(path.getFileName());
    return name.endsWith(".yml") || name.endsWith(".yaml");
  }

  private static SpecException missing(String shown, Path dir, String name) {
    String dirShown = dir.toString().isEmpty() ? "." : dir.toString();
    String hint = "run 'hoist init " + ShellWords.quote(dirShown) + "' to create one";
    if (Files.isRegularFile(dir.resolve("hoist.yaml"))) {
      hint = "found hoist.yaml; rename it to hoist.yml";
    }
    return single(shown, 0, 0, "no " + name + " in " + dirShown, hint);
  }

  /**
   * Composes one YAML document with line and column marks; a syntax error is a {@link
   * SpecException} at its place.
   */
  public static Optional<Node> compose(String text, String shown) throws SpecException {
    LoadSettings settings =
        LoadSettings.builder().setLabel(shown).setSchema(new CoreSchema()).build();
    try {
      return new Compose(settings).composeString(text);
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> at = e.getProblemMark().or(e::getContextMark);
      String context =
          e.getContext() == null || e.getContext().isEmpty()
              ? ""
              : " ("
                  + e.getContext()
                  + e.getContextMark()
                      .map(m -> " at " + (m.getLine() + 1) + ":" + (m.getColumn() + 1))
                      .orElse("")
                  + ")";
      throw single(
          shown,
          at.map(m -> m.getLine() + 1).orElse(0),
          at.map(m -> m.getColumn() + 1).orElse(0),
          "invalid YAML: " + e.getProblem() + context,
          syntaxHint(e.getProblem()));
    } catch (ReaderException e) {
      int[] lineColumn = lineColumn(text, e.getPosition());
      throw single(
          shown,
          lineColumn[0],
          lineColumn[1],
          "invalid YAML: character U+"
              + String.format("%04X", e.getCodePoint())
              + " is not allowed",
          "remove it, or write it as an escape inside double quotes");
    } catch (YamlEngineException e) {
      throw single(
          shown,
          0,
          0,
          "invalid YAML: " + e.getMessage(),
          "check the file is a single YAML document");
    }
  }

  private static String syntaxHint(String problem) {
    if (problem.contains("TAB")) {
      return "indent with spaces, not tabs";
    }
    if (problem.contains("mapping values are not allowed")) {
      return "check the indentation, or quote a value that contains ': '";
    }
    if (problem.contains("another document")) {
      return "keep one document per file: remove the second '---'";
    }
    return "fix the YAML here; quoting a value that contains special characters often helps";
  }

  /** 1-based line and column of a code point index, since the reader reports only the index. */
  private static int[] lineColumn(String text, int codePointIndex) {
    int line = 1;
    int column = 1;
    int[] codePoints = text.codePoints().limit(codePointIndex).toArray();
    for (int c : codePoints) {
      if (c == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new int[] {line, column};
  }

  public static SpecException single(
      String file, int line, int column, String message, String hint) {
    return new SpecException(
        List.of(new SpecProblem(file, line, column, "", message, Optional.of(hint))));
  }
}
