package dev.hoist.tls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hoist.engine.Engine;
import dev.hoist.node.AgentException;
import dev.hoist.project.Spec;
import dev.hoist.project.TlsSpec;
import dev.hoist.stack.AppLayout;
import dev.hoist.stack.TlsProbe;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * The app's certificate on the node that ends TLS, as {@code hoist status} shows it and {@code
 * --json} prints it: names, issuer, expiry, the last renewal attempt, where it comes from, and
 * {@code hoist check}'s verdict. Never a key: the probe returns certificate blocks only.
 */
public record CertReport(
    String node,
    String source,
    Optional<Certificate> certificate,
    Optional<Renewal> lastRenewal,
    Optional<CertVerdict> verdict) {

  /** The served certificate (the chain's first). Dates are ISO-8601 UTC. */
  public record Certificate(
      List<String> names, String issuer, String notBefore, String notAfter, long daysLeft) {
    public Certificate {
      names = List.copyOf(names);
    }
  }

  /** The ACME runner's last attempt; {@code nextAttempt} while it backs off after failures. */
  public record Renewal(
      String at, boolean ok, String message, int failures, Optional<String> nextAttempt) {}

  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** Reads the certificate on {@code engine}'s node (one round trip; none when TLS is off). */
  public static CertReport read(Engine engine, Spec spec, Instant now)
      throws AgentException, InterruptedException {
    JsonNode probe = MissingNode.getInstance();
    if (spec.tls().on()) {
      probe =
          engine
              .probe(List.of(TlsProbe.of(new AppLayout(spec.app()))), Optional.empty())
              .states()
              .getOrDefault(TlsProbe.ID, MissingNode.getInstance());
    }
    return of(engine.agent().node().name(), spec, probe, now);
  }

  /** The report for {@code probe}, the answer of the agent's {@code tls} probe on {@code node}. */
  public static CertReport of(String node, Spec spec, JsonNode probe, Instant now) {
    if (!spec.tls().on()) {
      return new CertReport(
          node, source(spec.tls()), Optional.empty(), Optional.empty(), Optional.empty());
    }
    CertStatus status = CertStatus.from(probe);
    Optional<Certificate> cert =
        status
            .cert()
            .map(
                c ->
                    new Certificate(
                        c.names(),
                        c.issuer(),
                        c.notBefore().toString(),
                        c.notAfter().toString(),
                        c.daysLeft(now)));
    Optional<Renewal> renewal =
        status
            .lastAttempt()
            .map(
                a ->
                    new Renewal(
                        a.at().toString(),
                        a.ok(),
                        a.message(),
                        a.failures(),
                        status.backoffUntil(now).map(Instant::toString)));
    return new CertReport(
        node,
        source(spec.tls()),
        cert,
        renewal,
        CertVerdict.judge(spec.tls(), CertVerdict.names(spec), status, now));
  }

  /** Where the certificate comes from, in words. */
  public static String source(TlsSpec tls) {
    return switch (tls) {
      case TlsSpec.Acme a -> "ACME from " + a.directory();
      case TlsSpec.Files f -> "your own file " + f.cert();
      case TlsSpec.Off o -> "none: HTTP only; " + o.why();
    };
  }

  /** A date as status prints it: {@code 2027-03-01 12:00 UTC}. */
  public static String date(Instant at) {
    return DATE.format(at);
  }
}
