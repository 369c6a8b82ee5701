package dev.hoist.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.hoist.project.TlsSpec;
import dev.hoist.stack.SelfSigned;
import dev.hoist.stack.TestSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What status shows of a node's certificate, from the agent's {@code tls} probe. */
class CertReportTest {
  @TempDir Path dir;

  static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module());

  static TlsSpec acme(String... names) {
    return new TlsSpec.Acme(
        List.of(names),
        Optional.empty(),
        "https://pebble.lab:14000/dir",
        Optional.empty(),
        Optional.empty());
  }

  ObjectNode probe(String pem) {
    ObjectNode p = JSON.createObjectNode();
    p.put("cert", pem);
    p.putNull("state");
    return p;
  }

  @Test
  void readsNamesIssuerExpiryAndTheVerdict() throws Exception {
    SelfSigned.Files f =
        SelfSigned.make(dir, "site", List.of("hello.example.com", "www.hello.example.com"), 10);
    Instant now = Instant.now();
    CertReport r =
        CertReport.of(
            "web1",
            TestSpec.hello().tls(acme("hello.example.com", "www.hello.example.com")).build(),
            probe(Files.readString(f.cert())),
            now);
    assertThat(r.node()).isEqualTo("web1");
    assertThat(r.source()).isEqualTo("ACME from https://pebble.lab:14000/dir");
    CertReport.Certificate c = r.certificate().orElseThrow();
    assertThat(c.names()).containsExactly("hello.example.com", "www.hello.example.com");
    // Self-signed: the issuer is the subject.
    assertThat(c.issuer()).isEqualTo("hello.example.com");
    assertThat(c.daysLeft()).isEqualTo(9);
    assertThat(Instant.parse(c.notAfter())).isAfter(now.plus(Duration.ofDays(9)));
    assertThat(r.lastRenewal()).isEmpty();
    assertThat(r.verdict().orElseThrow().state()).isEqualTo(CertVerdict.State.WARNING);
  }

  @Test
  void showsTheLastAttemptAndTheBackoffWhileItLasts() {
    Instant now = Instant.parse("2026-12-02T12:00:00Z");
    ObjectNode p = probe("");
    p.putNull("cert");
    ObjectNode state = p.putObject("state");
    state.put("last_attempt", now.minusSeconds(60).getEpochSecond());
    state.put("ok", false);
    state.put("message", "issuing failed (no certificate yet): connection refused");
    state.put("failures", 1);
    state.put("next_attempt", now.plusSeconds(240).getEpochSecond());
    CertReport r =
        CertReport.of("local", TestSpec.hello().tls(acme("hello.example.com")).build(), p, now);
    assertThat(r.certificate()).isEmpty();
    CertReport.Renewal last = r.lastRenewal().orElseThrow();
    assertThat(last.at()).isEqualTo("2026-12-02T11:59:00Z");
    assertThat(last.ok()).isFalse();
    assertThat(last.failures()).isEqualTo(1);
    assertThat(last.nextAttempt()).hasValue("2026-12-02T12:04:00Z");
    assertThat(r.verdict().orElseThrow().message())
        .isEqualTo("no certificate yet: issuing failed (no certificate yet): connection refused");
    // Once the backoff is over, no next attempt is announced: the next run tries.
    assertThat(
            CertReport.of(
                    "local",
                    TestSpec.hello().tls(acme("hello.example.com")).build(),
                    p,
                    now.plusSeconds(600))
                .lastRenewal()
                .orElseThrow()
                .nextAttempt())
        .isEmpty();
  }

  @Test
  void sayWhereTheCertificateComesFrom() {
    assertThat(
            CertReport.source(
                new TlsSpec.Files(Path.of("certs/site.pem"), Optional.empty(), Optional.empty())))
        .isEqualTo("your own file certs/site.pem");
    CertReport off =
        CertReport.of(
            "local",
            TestSpec.hello().tls(new TlsSpec.Off("tls: false in hoist.yml")).build(),
            MissingNode.getInstance(),
            Instant.now());
    assertThat(off.source()).isEqualTo("none: HTTP only; tls: false in hoist.yml");
    assertThat(off.certificate()).isEmpty();
    assertThat(off.verdict()).isEmpty();
  }

  @Test
  void theJsonHoldsNoKeyAndNoPem() throws Exception {
    SelfSigned.Files f = SelfSigned.make(dir, "site", List.of("hello.example.com"), 30);
    CertReport r =
        CertReport.of(
            "web1",
            TestSpec.hello().tlsCert(f.both().toString()).build(),
            probe(Files.readString(f.cert())),
            Instant.now());
    String json = JSON.writeValueAsString(r);
    assertThat(json)
        .contains("\"daysLeft\":29", "\"names\":[\"hello.example.com\"]", "\"state\":\"OK\"")
        .doesNotContain("BEGIN", "PRIVATE");
  }
}
