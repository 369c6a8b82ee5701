package dev.hoist.cli;

import dev.hoist.project.ServicesSpec;
import dev.hoist.project.Suggestions;
import java.util.ArrayList;
import java.util.List;

/**
 * Which services {@code hoist services purge} was asked for, checked before any node is reached:
 * known names, in hoist's order, none of them still in hoist.yml's services:.
 */
record PurgeRequest(List<String> services) {
  static final List<String> SERVICES = List.of("postgres", "redis", "files");

  /** The names given, validated; USAGE when none, unknown (with a suggestion) or repeated. */
  static PurgeRequest of(List<String> names) throws CommandException {
    if (names.isEmpty()) {
      throw new CommandException(
          ExitCode.USAGE,
          "name the service whose data to delete: hoist services purge postgres|redis|files"
              + " [--env E]");
    }
    for (String name : names) {
      if (!SERVICES.contains(name)) {
        throw new CommandException(
            ExitCode.USAGE,
            "unknown service '"
                + name
                + "'"
                + Suggestions.closest(name, SERVICES)
                    .map(s -> "; did you mean '" + s + "'?")
                    .orElse("")
                + " (services are postgres, redis and files)");
      }
    }
    List<String> ordered = new ArrayList<>(SERVICES);
    ordered.retainAll(names);
    return new PurgeRequest(List.copyOf(ordered));
  }

  /**
   * Refuses a service hoist.yml still has: its data is the app's live data, which a deploy would
   * keep serving.
   */
  void refuseServed(ServicesSpec wanted, List<String> shared, String file) throws CommandException {
    // shared: [uploads] links the same directory into every release: still the app's live data.
    if (services.contains("files")
        && shared.stream().anyMatch(d -> d.equals("uploads") || d.startsWith("uploads/"))) {
      throw new CommandException(
          ExitCode.USAGE,
          file
              + ": shared: still has uploads, the directory files: kept, which every release links"
              + " to; nothing was deleted. Remove it from shared:, deploy, then purge files");
    }
    List<String> served = services.stream().filter(wanted.names()::contains).toList();
    if (!served.isEmpty()) {
      String names = String.join(" and ", served);
      throw new CommandException(
          ExitCode.USAGE,
          file
              + ": services: still has "
              + names
              + ", whose data is the app's live data; nothing was deleted. To delete it: remove "
              + names
              + " from services:, run 'hoist deploy' (the app stops using it), take a 'hoist"
              + " backup' first if you may want it back, then purge");
    }
  }
}
