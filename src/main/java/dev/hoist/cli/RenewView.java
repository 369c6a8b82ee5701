package dev.hoist.cli;

import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.rollout.TlsRenewal;
import dev.hoist.tls.CertReport;

/** Renders what {@code hoist tls renew} did on each node. */
final class RenewView {
  private final Console console;

  RenewView(Console console) {
    this.console = console;
  }

  void show(FleetResult<TlsRenewal.Renewed> result, boolean local) {
    Console c = console;
    for (NodeOutcome<TlsRenewal.Renewed> o : result.outcomes()) {
      String where = local ? "" : o.node() + ": ";
      if (o.failure().isPresent()) {
        c.line(
            c.red(where + o.failure().get().kind().label()) + " - " + o.failure().get().message());
        continue;
      }
      TlsRenewal.Renewed r = o.result().orElseThrow();
      String action =
          switch (r.action()) {
            case "issued", "renewed" -> c.green(r.action());
            case "unchanged" -> r.action();
            default -> c.red(r.action());
          };
      c.line(where + action + " - " + r.message());
      r.nextAttempt()
          .ifPresent(
              t ->
                  c.line(
                      "  the renewal job tries again after "
                          + CertReport.date(t)
                          + " (backoff); 'hoist tls renew' tries now"));
      r.https().ifPresent(h -> c.line("  " + (r.ok() ? h : c.red(h))));
    }
    if (local) {
      return;
    }
    long ok =
        result.outcomes().stream()
            .filter(o -> o.result().map(TlsRenewal.Renewed::ok).orElse(false))
            .count();
    int total = result.outcomes().size();
    String line =
        ok + " of " + total + " node" + (total == 1 ? "" : "s") + " with a current certificate";
    c.line(ok == total ? c.green(line) : c.red(line));
  }
}
