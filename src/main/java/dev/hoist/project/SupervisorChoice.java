package dev.hoist.project;

import java.util.Locale;

/**
 * {@code supervisor:} in hoist.yml: which process supervisor runs the app on a node. {@code AUTO}
 * follows the node's PID 1 (systemd, else runit).
 */
public enum SupervisorChoice {
  AUTO,
  SYSTEMD,
  RUNIT;

  static SupervisorChoice parse(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "auto" -> AUTO;
      case "systemd" -> SYSTEMD;
      case "runit" -> RUNIT;
      default ->
          throw new InvalidValue(
              "expected auto, systemd or runit, found '" + text + "'",
              "'auto' uses systemd where it is PID 1, else runit");
    };
  }
}
