package dev.hoist.project;

import java.util.List;

/**
 * A {@code hoist.yml} that cannot be used; each problem names file:line:column, the key and the
 * fix.
 */
public final class SpecException extends Exception {
  private static final long serialVersionUID = 1L;
  private final List<SpecProblem> problems;

  public SpecException(List<SpecProblem> problems) {
    super(render(problems));
    this.problems = List.copyOf(problems);
  }

  public List<SpecProblem> problems() {
    return problems;
  }

  private static String render(List<SpecProblem> problems) {
    StringBuilder out = new StringBuilder();
    for (SpecProblem p : problems) {
      if (!out.isEmpty()) {
        out.append('\n');
      }
      out.append(p.render());
    }
    return out.toString();
  }
}
