package dev.hoist.cli;

import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.rollout.RolloutException;
import dev.hoist.rollout.TlsRenewal;
import dev.hoist.tls.CertReport;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hoist tls renew|status}: the app's HTTPS certificate where TLS ends. */
@Command(
    name = "tls",
    mixinStandardHelpOptions = true,
    subcommands = {TlsCommand.RenewCommand.class, TlsCommand.StatusCommand.class},
    description = {
      "Shows the app's HTTPS certificate and renews it now.",
      "The certificate lives on the node that ends TLS: each web node (nginx), or the",
      "environment's balancer (HAProxy). Hoist gets certificates from an ACME CA (Let's Encrypt",
      "by default) when it deploys, and the node renews them by itself 30 days before expiry."
    },
    footer = {
      "",
      "Examples:",
      "  hoist tls status --env live",
      "  hoist tls renew --env live            # after fixing DNS: try now, past the backoff",
      "  hoist tls renew --env live --force    # a new certificate even if this one is fresh",
      "",
      "See docs/tls.md."
    })
final class TlsCommand implements Runnable {
  @ParentCommand HoistCommand root;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "renew",
      mixinStandardHelpOptions = true,
      description = {
        "Gets or renews the certificate now, on the node(s) that end TLS.",
        "Runs the node's ACME runner without waiting for the backoff that follows a failed",
        "attempt. It gets a certificate when there is none, when the names changed or when it",
        "expires within 30 days (--force: even a fresh one), and says per node what happened:",
        "issued, renewed, unchanged, or failed with the CA's cause.",
        "A node that gets its first certificate is switched to HTTPS: nginx is converged for the",
        "live release (no code is shipped; if the project's code differs, the next deploy does",
        "it), HAProxy under the environment's lock. A failure leaves the old certificate serving."
      },
      footer = {
        "",
        "Examples:",
        "  hoist tls renew                        # this machine",
        "  hoist tls renew --env live             # the balancer of live, or each web node",
        "  hoist tls renew mysite --env stage --node web2",
        "  hoist tls renew --env live --force --json",
        "",
        "Exit code: 0 when every node has a current certificate, 1 when an attempt failed,",
        "2 for bad input (TLS off, your own certificate), 3 when a node could not be reached."
      })
  static final class RenewCommand implements Callable<Integer> {
    @ParentCommand TlsCommand parent;

    @Mixin ProjectArg projectArg;

    @Mixin TargetOptions targetOptions;

    @Mixin OutputOptions output;

    @Option(
        names = "--force",
        description = "Renew even a certificate that is not due (rate limits apply at the CA).")
    boolean force;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      Console c = parent.root.console;
      Session s = Session.open(projectArg.path, targetOptions, parent.root.ssh);
      try {
        TlsRenewal.renewable(s.spec());
      } catch (RolloutException e) {
        throw new CommandException(ExitCode.USAGE, e.getMessage());
      }
      List<FleetNode> nodes = endingTls(s);
      TlsRenewal renewal =
          new TlsRenewal(
              new TlsRenewal.Request(
                  s.spec(),
                  s.templates(),
                  s.environment(),
                  s.balancer(),
                  s.environmentNodes("web"),
                  force));
      if (!output.json) {
        c.progress(
            "running the ACME runner on "
                + (s.local() ? "this machine" : String.join(", ", names(nodes)))
                + " (certbot may take a minute)...");
      }
      FleetResult<TlsRenewal.Renewed> result =
          s.fleet(false).run(nodes, renewal::renew, new Fleet.Listener() {});
      if (output.json) {
        c.json(FleetView.json(result, TlsRenewal.Renewed::ok));
      } else {
        new RenewView(c).show(result, s.local());
      }
      return PerNode.exitCode(result, TlsRenewal.Renewed::ok);
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Shows the certificate where TLS ends: names, issuer, days left, last renewal.",
        "Also its expiry date, where it comes from, the next attempt while failures back off,",
        "and the verdict 'hoist check' gives it. 'hoist status' shows the same beside the app."
      },
      footer = {"", "Examples:", "  hoist tls status", "  hoist tls status --env live --json"})
  static final class StatusCommand implements Callable<Integer> {
    @ParentCommand TlsCommand parent;

    @Mixin ProjectArg projectArg;

    @Mixin TargetOptions targetOptions;

    @Mixin OutputOptions output;

    @Override
    public Integer call() throws CommandException, InterruptedException {
      Console c = parent.root.console;
      Session s = Session.open(projectArg.path, targetOptions, parent.root.ssh);
      List<FleetNode> nodes = endingTls(s);
      Instant now = Instant.now();
      FleetResult<CertReport> result =
          s.fleet(false)
              .run(
                  nodes,
                  (node, connection) -> CertReport.read(Session.engine(connection), s.spec(), now),
                  new Fleet.Listener() {});
      if (output.json) {
        c.json(FleetView.json(result, r -> true));
      } else {
        for (NodeOutcome<CertReport> o : result.outcomes()) {
          if (!s.local()) {
            c.line(c.bold(o.node()));
          }
          o.result().ifPresent(r -> new CertView(c).show(r, s.local() ? "" : "  "));
          o.failure().ifPresent(f -> c.line(c.red("  " + f.kind().label()) + " - " + f.message()));
        }
      }
      return PerNode.exitCode(result, r -> true);
    }
  }

  /** The nodes that end TLS among the session's, or a usage error saying why there are none. */
  static List<FleetNode> endingTls(Session s) throws CommandException {
    try {
      return TlsRenewal.nodes(s.balancer(), s.targets(), s.balancedEnvironmentOfTargets());
    } catch (RolloutException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    }
  }

  private static List<String> names(List<FleetNode> nodes) {
    return nodes.stream().map(FleetNode::name).toList();
  }
}
