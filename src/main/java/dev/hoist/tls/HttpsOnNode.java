package dev.hoist.tls;

import dev.hoist.engine.Change;
import dev.hoist.engine.Engine;
import dev.hoist.engine.Engine.StepEvent;
import dev.hoist.project.TlsSpec;
import dev.hoist.release.DeployException;
import dev.hoist.release.DeployListener;
import dev.hoist.release.DeployReport;
import dev.hoist.release.Deployer;
import dev.hoist.release.Deployment;
import dev.hoist.stack.AppLayout;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A deploy on a node that ends TLS with an ACME certificate: when the node needs one (none yet,
 * names changed, due), the node's runner gets it after the release is live, then a second converge
 * switches nginx to HTTPS. A certificate problem never fails the deploy: the site stays on HTTP and
 * the report carries a loud warning with the cause.
 */
public final class HttpsOnNode {
  private static final String STEP = "tls:certificate";

  private final Engine engine;
  private final Deployment deployment;
  private final Clock clock;

  public HttpsOnNode(Engine engine, Deployment deployment, Clock clock) {
    this.engine = engine;
    this.deployment = deployment;
    this.clock = clock;
  }

  /** Deploys, then secures: the report of both, one round trip when nothing is needed. */
  public DeployReport deploy(DeployListener listener) throws DeployException, InterruptedException {
    Deployer deployer = new Deployer(engine, deployment);
    DeployReport report = deployer.deploy(listener);
    if (!(deployment.spec().tls() instanceof TlsSpec.Acme acme)
        || deployment.edge().behindBalancer()
        || !report.ok()) {
      return report;
    }
    Instant now = clock.instant();
    CertStatus status = CertStatus.from(deployer.tlsState());
    Optional<String> needed = status.needed(acme.names(), now);
    if (needed.isEmpty()) {
      return report;
    }
    Optional<Instant> backoff = status.backoffUntil(now);
    if (backoff.isPresent()) {
      return report.plus(
          List.of(),
          List.of(CertWarnings.backedOff(status, acme, backoff.get())),
          Duration.ZERO,
          engine.agent().roundTrips());
    }
    long start = System.nanoTime();
    listener.step(new StepEvent(STEP, StepEvent.Status.START, needed.get(), null, 0));
    AcmeRunner.Outcome outcome;
    try {
      outcome =
          AcmeRunner.ensure(
              engine.agent().node(),
              new AppLayout(deployment.spec().app()),
              AcmeRunner.Urgency.WHEN_DUE);
    } catch (IOException e) {
      outcome =
          new AcmeRunner.Outcome(
              "error", e.getMessage(), List.of(), Optional.empty(), Optional.empty());
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    listener.step(
        new StepEvent(
            STEP,
            outcome.failed() ? StepEvent.Status.FAIL : StepEvent.Status.OK,
            outcome.action() + ": " + outcome.message(),
            null,
            took.toMillis() / 1000.0));
    if (!outcome.gotOne()) {
      if (outcome.action().equals("unchanged")) {
        return report;
      }
      return report.plus(
          List.of(),
          List.of(CertWarnings.failed(status, acme, outcome)),
          took,
          engine.agent().roundTrips() + 1);
    }
    Change got =
        new Change(
            STEP,
            status.cert().isPresent() ? Change.Kind.UPDATE : Change.Kind.CREATE,
            outcome.action() + " a certificate for " + String.join(", ", acme.names()),
            List.of(needed.get(), outcome.message()),
            "",
            List.of());
    if (status.cert().isPresent()) {
      // The runner reloaded nginx itself; its config already serves HTTPS.
      return report.plus(List.of(got), List.of(), took, engine.agent().roundTrips() + 1);
    }
    DeployReport https = new Deployer(engine, deployment).deploy(listener);
    if (!https.ok()) {
      return report.plus(
          List.of(got),
          List.of(
              "HTTPS: a certificate was obtained, but switching nginx to it failed ("
                  + https.error().orElse("?")
                  + "); the site stays on HTTP"),
          took.plus(https.elapsed()),
          engine.agent().roundTrips() + 1);
    }
    return report.plus(
        concat(got, https.changes()),
        https.warnings().stream().filter(w -> !report.warnings().contains(w)).toList(),
        took.plus(https.elapsed()),
        engine.agent().roundTrips() + 1);
  }

  private static List<Change> concat(Change first, List<Change> rest) {
    List<Change> all = new java.util.ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }
}
