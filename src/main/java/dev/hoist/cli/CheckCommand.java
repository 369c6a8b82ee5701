package dev.hoist.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.fleet.Failures;
import dev.hoist.fleet.Fleet;
import dev.hoist.fleet.FleetNode;
import dev.hoist.fleet.FleetResult;
import dev.hoist.fleet.NodeOutcome;
import dev.hoist.ops.Status;
import dev.hoist.release.ReleaseSteps;
import dev.hoist.rollout.Connections;
import dev.hoist.services.BackupVerdict;
import dev.hoist.tls.CertReport;
import dev.hoist.tls.CertVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hoist check}: a Nagios plugin (https://nagios-plugins.org/doc/guidelines.html): one line
 * of output, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Checks the app as a Nagios/NRPE plugin: one status line, exit code 0 OK, 1 WARNING",
      "(healthy, but a supervised process is down), 2 CRITICAL (health check fails), 3 UNKNOWN",
      "(cannot tell: bad hoist.yml, node unreachable).",
      "With HTTPS it checks the certificate where TLS ends (each web node, or the balancer):",
      "WARNING under 14 days left, after a failed renewal, or while an ACME certificate is still",
      "to come; CRITICAL under 3 days, expired, not covering the domain and aliases, or your",
      "own certificate missing. Performance data: cert_days=N;14;3.",
      "With 'backup:' in hoist.yml it reads the backups on the data node: CRITICAL when there is",
      "none, WARNING when the newest is older than 1.5 x the schedule's period, or the last",
      "scheduled run or drill failed. Performance data: backup_age=SECONDSs;WARN."
    },
    footer = {
      "",
      "Examples:",
      "  hoist check                          # this machine",
      "  hoist check /srv/projects/mysite --env live",
      "",
      "NRPE: command[check_mysite]=/usr/local/bin/hoist check /srv/projects/mysite --env live"
    })
final class CheckCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int WARNING = 1;
  static final int CRITICAL = 2;
  static final int UNKNOWN = 3;

  @ParentCommand HoistCommand root;

  @Mixin ProjectArg projectArg;

  @Mixin TargetOptions targetOptions;

  @Override
  public Integer call() throws InterruptedException {
    Session s;
    try {
      s = Session.open(projectArg.path, targetOptions, root.ssh).appNodes();
    } catch (CommandException e) {
      root.console.line("HOIST UNKNOWN - " + e.getMessage().lines().findFirst().orElse(""));
      return UNKNOWN;
    }
    var stack = s.stack();
    Instant now = Instant.now();
    // Behind a balancer, TLS ends on the lb node: its certificate is judged there.
    boolean endsTls = s.balancer().isEmpty() && s.balancedEnvironmentOfTargets().isEmpty();
    Fleet.Task<Status.Report> task =
        (node, connection) ->
            new Status(Session.engine(connection)).read(stack, new ReleaseSteps(stack).health());
    FleetResult<Status.Report> result = s.run(task, new Fleet.Listener() {}, false);
    List<Verdict> verdicts = new ArrayList<>();
    for (NodeOutcome<Status.Report> o : result.outcomes()) {
      String where = s.local() ? s.spec().app() : s.spec().app() + " on " + o.node();
      if (o.failure().isPresent()) {
        verdicts.add(unknown(where, o.failure().get().message()));
      } else {
        Status.Report r = o.result().orElseThrow();
        Optional<CertVerdict> cert =
            endsTls ? CertReport.of(r.node(), s.spec(), r.tls(), now).verdict() : Optional.empty();
        verdicts.add(judge(where, r, cert));
      }
    }
    if (s.balancer().isPresent() && s.spec().tls().on()) {
      verdicts.add(balancer(s, s.balancer().get(), now));
    }
    List<String> perf = new ArrayList<>();
    Optional<Verdict> backups = Optional.empty();
    if (s.spec().backup().isPresent()) {
      backups = Optional.of(backups(s, s.spec().backup().get().schedule().period(), now, perf));
    }
    Verdict worst = worst(verdicts, backups);
    OptionalLong days =
        verdicts.stream()
            .map(Verdict::certDays)
            .filter(OptionalLong::isPresent)
            .mapToLong(OptionalLong::getAsLong)
            .min();
    long ok =
        result.outcomes().stream()
            .filter(o -> o.result().map(Status.Report::healthy).orElse(false))
            .count();
    root.console.line(
        worst.line(
            s.local() ? "" : " (" + ok + " of " + result.outcomes().size() + " nodes healthy)",
            days,
            perf));
    return worst.state();
  }

  /**
   * One node's state, what it says, its release (for the performance data) and its certificate's
   * days left.
   */
  record Verdict(int state, String text, Optional<String> release, OptionalLong certDays) {
    /**
     * The plugin's line, with {@code suffix} after the text, {@code days} as cert_days and {@code
     * more} performance data after it.
     */
    String line(String suffix, OptionalLong days) {
      return line(suffix, days, List.of());
    }

    String line(String suffix, OptionalLong days, List<String> more) {
      List<String> perf = new ArrayList<>();
      release.ifPresent(r -> perf.add("release=" + r));
      days.ifPresent(d -> perf.add(CertVerdict.perfData(d)));
      perf.addAll(more);
      return "HOIST "
          + NAMES.get(state)
          + " - "
          + text
          + suffix
          + (perf.isEmpty() ? "" : " | " + String.join(" ", perf));
    }
  }

  /**
   * The worst verdict decides the state and speaks first, as a Nagios service check of a whole
   * cluster does; the backups' verdict is always told after it (their age and drill are worth a
   * glance while all is OK).
   */
  static Verdict worst(List<Verdict> nodes, Optional<Verdict> backups) {
    List<Verdict> all = new ArrayList<>(nodes);
    backups.ifPresent(all::add);
    Verdict worst = all.getFirst();
    for (Verdict v : all) {
      if (rank(v.state()) > rank(worst.state())) {
        worst = v;
      }
    }
    if (backups.isEmpty() || backups.get() == worst) {
      return worst;
    }
    return new Verdict(
        worst.state(),
        worst.text() + "; " + backups.get().text(),
        worst.release(),
        worst.certDays());
  }

  private static final Map<Integer, String> NAMES =
      Map.of(OK, "OK", WARNING, "WARNING", CRITICAL, "CRITICAL", UNKNOWN, "UNKNOWN");

  static Verdict unknown(String where, String message) {
    return new Verdict(
        UNKNOWN,
        where + ": " + message.lines().findFirst().orElse(""),
        Optional.empty(),
        OptionalLong.empty());
  }

  /**
   * A node's verdict from its health, its processes and its certificate: the worst decides the
   * state and speaks first.
   */
  static Verdict judge(String where, Status.Report r, Optional<CertVerdict> cert) {
    var down =
        r.processes().stream()
            .filter(p -> !"run".equals(p.state()))
            .map(Status.Process::service)
            .toList();
    int state;
    String health;
    if (!r.healthy()) {
      state = CRITICAL;
      health = r.url() + " " + r.health();
    } else if (!down.isEmpty()) {
      state = WARNING;
      health = "healthy, but not running: " + String.join(", ", down);
    } else {
      state = OK;
      health = r.url() + " " + r.health();
    }
    Optional<String> release = Optional.of(r.release().orElse("none"));
    if (cert.isEmpty()) {
      return new Verdict(state, where + ": " + health, release, OptionalLong.empty());
    }
    int certState = state(cert.get().state());
    return rank(certState) > rank(state)
        ? new Verdict(
            certState,
            where + ": " + cert.get().message() + "; " + health,
            release,
            cert.get().daysLeft())
        : new Verdict(
            state,
            where + ": " + health + "; " + cert.get().message(),
            release,
            cert.get().daysLeft());
  }

  /** The certificate on the balancer; UNKNOWN when it cannot be read. */
  private Verdict balancer(Session s, FleetNode lb, Instant now) throws InterruptedException {
    String where = s.spec().app() + " on " + lb.name();
    try (Connections connection = Connections.open(List.of(lb), s.connector())) {
      CertVerdict v =
          CertReport.read(connection.engine(lb.name()), s.spec(), now).verdict().orElseThrow();
      return new Verdict(
          state(v.state()), where + ": " + v.message(), Optional.empty(), v.daysLeft());
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      return unknown(where, "cannot read the certificate: " + Failures.classify(e).message());
    }
  }

  /**
   * The scheduled backups, judged from the data runner's status on the data node; adds backup_age
   * to {@code perf}. UNKNOWN when the status cannot be read.
   */
  private static Verdict backups(Session s, Duration period, Instant now, List<String> perf)
      throws InterruptedException {
    String where = s.spec().app() + " backups";
    try {
      JsonNode status = BackupsCommand.status(s);
      BackupVerdict v = BackupVerdict.judge(status, period, now);
      v.ageSeconds().ifPresent(a -> perf.add(BackupVerdict.perfData(a, period)));
      return new Verdict(
          switch (v.state()) {
            case OK -> OK;
            case WARNING -> WARNING;
            case CRITICAL -> CRITICAL;
          },
          where + ": " + v.message(),
          Optional.empty(),
          OptionalLong.empty());
    } catch (CommandException e) {
      return unknown(where, "cannot read the backups' status: " + e.getMessage());
    }
  }

  private static int state(CertVerdict.State state) {
    return switch (state) {
      case OK -> OK;
      case WARNING -> WARNING;
      case CRITICAL -> CRITICAL;
    };
  }

  /** UNKNOWN ranks between WARNING and CRITICAL, as Nagios orders service states. */
  private static int rank(int state) {
    return switch (state) {
      case OK -> 0;
      case WARNING -> 1;
      case UNKNOWN -> 2;
      default -> 3;
    };
  }
}
