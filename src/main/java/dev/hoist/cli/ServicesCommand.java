package dev.hoist.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code hoist services purge}: the app's backing services beyond what a deploy does. */
@Command(
    name = "services",
    mixinStandardHelpOptions = true,
    subcommands = {ServicesPurgeCommand.class},
    description = {
      "The app's backing services (services: in hoist.yml: postgres, redis, files) are set up by",
      "'hoist deploy', and a service removed from services: stops serving the app while its data",
      "stays. 'hoist services purge' deletes that data once you are sure. See docs/services.md."
    })
final class ServicesCommand implements Runnable {
  @ParentCommand HoistCommand root;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
