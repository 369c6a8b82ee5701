package dev.hoist.cli;

import picocli.CommandLine.Parameters;

/** The optional first argument of most commands: the project directory or its hoist.yml. */
final class ProjectArg {
  @Parameters(
      index = "0",
      arity = "0..1",
      defaultValue = ".",
      paramLabel = "PROJECT",
      description = "Project directory or hoist.yml (default: current directory).")
  String path;
}
