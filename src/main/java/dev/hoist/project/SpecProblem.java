package dev.hoist.project;

import java.util.Optional;

/**
 * One problem in a spec file: where (file, 1-based line and column), which key (a dotted path such
 * as {@code health.timeout}), what is wrong and what to do about it.
 */
public record SpecProblem(
    String file, int line, int column, String key, String message, Optional<String> hint) {
  /** {@code hoist.yml:3:5: health.timout: unknown key; did you mean 'timeout'?} */
  public String render() {
    String where = line > 0 ? file + ":" + line + ":" + column : file;
    String head = where + ": " + (key.isEmpty() ? "" : key + ": ") + message;
    return hint.map(h -> head + "\n    " + h).orElse(head);
  }
}
