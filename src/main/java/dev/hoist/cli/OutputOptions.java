package dev.hoist.cli;

import picocli.CommandLine.Option;

/** {@code --json}, the same on every command that prints a result ({@code @Mixin}). */
class OutputOptions {
  @Option(names = "--json", description = "Print the result as JSON on stdout (for scripts).")
  boolean json;

  /** With {@code -v/--verbose} too, for commands that run steps on nodes and can show them. */
  static final class Verbose extends OutputOptions {
    @Option(
        names = {"-v", "--verbose"},
        description = "Show the output of every command run on the node.")
    boolean verbose;
  }
}
