package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A project directory in a temp dir for loader tests: write files, load hoist.yml, inspect the
 * problems.
 */
final class TestProject {
  static final String MINIMAL = "app: hello\nwsgi: hello:application\n";

  final Path dir;

  TestProject(Path dir) {
    this.dir = dir;
  }

  TestProject file(String relative, String content) {
    try {
      Path path = dir.resolve(relative);
      Files.createDirectories(path.getParent());
      Files.writeString(path, content);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  TestProject directory(String relative) {
    try {
      Files.createDirectories(dir.resolve(relative));
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Spec load(String yml) throws Exception {
    file("hoist.yml", yml);
    return SpecLoader.load(dir);
  }

  /** Loads {@code MINIMAL} plus {@code extra} lines. */
  Spec loadWith(String extra) throws Exception {
    return load(MINIMAL + extra);
  }

  List<SpecProblem> problems(String yml) {
    file("hoist.yml", yml);
    SpecException e = catchThrowableOfType(SpecException.class, () -> SpecLoader.load(dir));
    assertThat(e).as("expected hoist.yml to be rejected").isNotNull();
    assertThat(e.getMessage())
        .isEqualTo(String.join("\n", e.problems().stream().map(SpecProblem::render).toList()));
    return e.problems();
  }

  /** Loads {@code MINIMAL} plus {@code extra} as hoist server loads a pushed commit's. */
  Spec loadPushedWith(String extra) throws Exception {
    file("hoist.yml", MINIMAL + extra);
    return SpecLoader.loadPushed(dir);
  }

  /** The only problem of {@code MINIMAL} plus {@code extra} when hoist server deploys a push. */
  SpecProblem pushedProblemWith(String extra) {
    file("hoist.yml", MINIMAL + extra);
    SpecException e = catchThrowableOfType(SpecException.class, () -> SpecLoader.loadPushed(dir));
    assertThat(e).as("expected the pushed hoist.yml to be rejected").isNotNull();
    assertThat(e.problems()).hasSize(1);
    return e.problems().getFirst();
  }

  /** The only problem of {@code MINIMAL} plus {@code extra} lines. */
  SpecProblem problemWith(String extra) {
    List<SpecProblem> problems = problems(MINIMAL + extra);
    assertThat(problems).hasSize(1);
    return problems.getFirst();
  }

  /** "line:column: key: message", the position-relevant part of a rendered problem. */
  static String where(SpecProblem p) {
    return p.line() + ":" + p.column() + ": " + p.key() + ": " + p.message();
  }
}
