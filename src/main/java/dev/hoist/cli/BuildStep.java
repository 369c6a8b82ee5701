package dev.hoist.cli;

import dev.hoist.build.Build;
import dev.hoist.build.BuildException;
import dev.hoist.build.BuildTree;
import dev.hoist.build.BuildUser;
import dev.hoist.project.Spec;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code hoist deploy}'s build: {@code build:} run in a clean copy of the project, its output
 * streamed; the deploy then ships that copy. A failed build stops the deploy before any node is
 * touched.
 */
final class BuildStep {
  private BuildStep() {}

  /** The built tree (the caller closes it), or empty when the project has no build. */
  static Optional<BuildTree> run(Spec spec, Console console)
      throws CommandException, InterruptedException {
    if (spec.build().isEmpty()) {
      return Optional.empty();
    }
    BuildTree tree;
    try {
      BuildUser user = BuildUser.forProject(spec.projectDir());
      tree = BuildTree.copyOf(spec, user);
    } catch (BuildException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (IOException e) {
      throw new CommandException(
          ExitCode.FAILED, "build: cannot copy the project to build it: " + e.getMessage());
    }
    long started = System.nanoTime();
    console.progress(
        "building in a clean copy as "
            + tree.user().name()
            + " ("
            + spec.build().commands().size()
            + (spec.build().commands().size() == 1 ? " command" : " commands")
            + ")");
    try {
      Build.run(
          spec.build(),
          tree.dir(),
          tree.user(),
          line -> console.progress(console.dim("  │ ") + line));
    } catch (BuildException e) {
      tree.close();
      StringBuilder message = new StringBuilder(e.getMessage());
      if (!e.tail().isEmpty()) {
        message.append("\n    its last lines:");
        e.tail().forEach(l -> message.append("\n      ").append(l));
      }
      throw new CommandException(ExitCode.FAILED, message.toString());
    } catch (InterruptedException | RuntimeException e) {
      tree.close();
      throw e;
    }
    console.progress(
        String.format(Locale.ROOT, "built in %.1f s", (System.nanoTime() - started) / 1e9));
    return Optional.of(tree);
  }
}
