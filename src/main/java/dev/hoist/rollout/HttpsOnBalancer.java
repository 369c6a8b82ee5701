package dev.hoist.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hoist.fleet.FleetNode;
import dev.hoist.node.Node;
import dev.hoist.project.Spec;
import dev.hoist.project.TlsSpec;
import dev.hoist.stack.AppLayout;
import dev.hoist.tls.AcmeRunner;
import dev.hoist.tls.CertStatus;
import dev.hoist.tls.CertWarnings;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * HTTPS on the balancer: when the lb node needs an ACME certificate, its runner gets one (certbot
 * answers the challenge behind HAProxy), then HAProxy is converged again to serve it. A failure
 * leaves the site on HTTP with a loud warning, never a failed deploy.
 */
final class HttpsOnBalancer {
  private final Balancer balancer;
  private final FleetNode lb;
  private final Node node;
  private final RolloutListener listener;

  HttpsOnBalancer(Balancer balancer, FleetNode lb, Node node, RolloutListener listener) {
    this.balancer = balancer;
    this.lb = lb;
    this.node = node;
    this.listener = listener;
  }

  void secure(Spec spec, JsonNode tls, Balancer.Stacks stacks)
      throws RolloutException, InterruptedException {
    if (!(spec.tls() instanceof TlsSpec.Acme acme)) {
      return;
    }
    Instant now = Instant.now();
    CertStatus status = CertStatus.from(tls);
    Optional<String> needed = status.needed(acme.names(), now);
    if (needed.isEmpty()) {
      return;
    }
    Optional<Instant> backoff = status.backoffUntil(now);
    if (backoff.isPresent()) {
      warn(CertWarnings.backedOff(status, acme, backoff.get()));
      return;
    }
    listener.note(lb.name() + ": getting a certificate for " + String.join(", ", acme.names()));
    AcmeRunner.Outcome outcome;
    try {
      outcome = AcmeRunner.ensure(node, new AppLayout(spec.app()), AcmeRunner.Urgency.WHEN_DUE);
    } catch (IOException e) {
      throw new RolloutException(
          RolloutException.Kind.UNREACHABLE, "lost the load balancer " + lb.name() + ": " + e);
    }
    if (outcome.gotOne()) {
      listener.note(lb.name() + ": certificate " + outcome.action() + ": " + outcome.message());
      if (status.cert().isEmpty()) {
        balancer.converge(stacks);
        listener.note(lb.name() + ": HAProxy serves HTTPS; HTTP redirects to it");
      }
    } else if (!outcome.action().equals("unchanged")) {
      warn(CertWarnings.failed(status, acme, outcome));
    }
  }

  private void warn(String warning) {
    listener.note("WARNING " + lb.name() + ": " + warning);
  }
}
