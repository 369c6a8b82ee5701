package dev.hoist.cli;

import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.project.ShellWords;
import dev.hoist.secrets.NodeSecrets;
import dev.hoist.secrets.SecretInfo;
import dev.hoist.secrets.SecretValues;
import dev.hoist.secrets.SecretsUpdated;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Renders what {@code hoist secrets} did or found: names, times, nodes; values only on --show. */
final class SecretsView {
  private final Console console;

  SecretsView(Console console) {
    this.console = console;
  }

  /** Who sets a secret, for the record on the node: the user behind sudo, at this machine. */
  static String whoAmI() {
    String user = System.getenv("SUDO_USER");
    if (user == null || user.isBlank()) {
      user = System.getProperty("user.name", "unknown");
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "unknown";
    }
    return user + "@" + host;
  }

  void updated(FleetResult<SecretsUpdated> result, boolean local) {
    List<String> failed = new ArrayList<>();
    for (NodeOutcome<SecretsUpdated> o : result.outcomes()) {
      String where = local ? "" : o.node() + ": ";
      if (o.failure().isPresent()) {
        failed.add(o.node() + " (" + o.failure().get().kind().label() + ")");
        console.line(
            console.red(where + o.failure().get().kind().label())
                + " - "
                + strip(o.node(), o.failure().get().message()));
        continue;
      }
      SecretsUpdated r = o.result().orElseThrow();
      console.line(
          where
              + console.green(r.note())
              + (r.refreshed().isEmpty()
                  ? console.dim("; the app does not run here yet: its first deploy will read them")
                  : "; reloaded " + String.join(", ", r.refreshed())));
    }
    if (local) {
      return;
    }
    int total = result.outcomes().size();
    int good = total - failed.size();
    String line = good + " of " + total + " node" + (total == 1 ? "" : "s") + " updated";
    console.line(
        failed.isEmpty()
            ? console.green(line)
            : console.red(line + "; not updated: " + String.join(", ", failed)));
  }

  void list(String app, FleetResult<NodeSecrets> result, boolean local) {
    Map<String, List<String>> nodesOf = new TreeMap<>();
    Map<String, SecretInfo> latest = new TreeMap<>();
    int answered = 0;
    for (NodeOutcome<NodeSecrets> o : result.outcomes()) {
      if (o.result().isEmpty()) {
        continue;
      }
      answered++;
      o.result()
          .get()
          .names()
          .forEach(
              (key, info) -> {
                nodesOf.computeIfAbsent(key, k -> new ArrayList<>()).add(o.node());
                latest.merge(key, info, (a, b) -> a.set().compareTo(b.set()) >= 0 ? a : b);
              });
    }
    if (answered > 0 && latest.isEmpty()) {
      console.line("app " + app + " has no secrets" + (local ? " here" : " on these nodes"));
    } else if (!latest.isEmpty()) {
      List<List<String>> rows = new ArrayList<>();
      rows.add(local ? List.of("KEY", "SET", "BY") : List.of("KEY", "SET", "BY", "NODES"));
      for (Map.Entry<String, SecretInfo> e : latest.entrySet()) {
        List<String> row =
            new ArrayList<>(List.of(e.getKey(), or(e.getValue().set()), or(e.getValue().by())));
        if (!local) {
          List<String> on = nodesOf.get(e.getKey());
          row.add(on.size() == answered ? "all" : String.join(",", on));
        }
        rows.add(row);
      }
      table(rows);
    }
    failures(result);
  }

  /** --show: each node's values, quoted as in the secrets file so a line break stays visible. */
  void values(FleetResult<SecretValues> result, boolean local) {
    for (NodeOutcome<SecretValues> o : result.outcomes()) {
      if (!local) {
        console.line(console.bold("== " + o.node() + " =="));
      }
      o.result()
          .ifPresent(
              r -> r.values().forEach((k, v) -> console.line(k + "=" + ShellWords.quote(v))));
    }
    failures(result);
  }

  private void failures(FleetResult<?> result) {
    for (NodeOutcome<?> o : result.outcomes()) {
      o.failure()
          .ifPresent(
              f ->
                  console.line(
                      console.red(o.node() + ": " + f.kind().label())
                          + " - "
                          + strip(o.node(), f.message())));
    }
  }

  private void table(List<List<String>> rows) {
    int[] widths = new int[rows.getFirst().size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    for (int r = 0; r < rows.size(); r++) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < rows.get(r).size(); i++) {
        String cell = String.format(Locale.ROOT, "%-" + widths[i] + "s", rows.get(r).get(i));
        line.append(i == 0 ? "" : "  ").append(r == 0 ? console.dim(cell) : cell);
      }
      console.line(line.toString().stripTrailing());
    }
  }

  private static String or(String text) {
    return text.isEmpty() ? "-" : text;
  }

  private static String strip(String node, String message) {
    return message.startsWith(node + ": ") ? message.substring(node.length() + 2) : message;
  }
}
