package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** --env and --node: which nodes a command works on; with neither, this machine. */
final class TargetOptions {
  @Option(
      names = {"-e", "--env"},
      paramLabel = "ENV",
      description =
          "Work on the nodes of this environment (from 'environments:' in hoist.yml or your config file).")
  String env;

  @Option(
      names = "--node",
      paramLabel = "NODE",
      split = ",",
      description =
          "Only these nodes (repeat or separate with commas); alone, names nodes of the inventory.")
  List<String> nodes = new ArrayList<>();

  @Option(
      names = "--parallel",
      paramLabel = "N",
      defaultValue = "" + Fleet.Options.DEFAULT_PARALLEL,
      description = "Work on at most N nodes at once (default: ${DEFAULT-VALUE}).")
  int parallel;

  boolean local() {
    return env == null && nodes.isEmpty();
  }

  Optional<String> environment() {
    return Optional.ofNullable(env);
  }
}
