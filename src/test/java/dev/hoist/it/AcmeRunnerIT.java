package dev.hoist.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's ACME runner (hoist-acme.py, run as root with python3 -I) with Debian's real certbot
 * against a real pebble, in standalone mode on 127.0.0.1: issue, no-op, forced renewal, a lost
 * cert.pem restored from certbot's lineage, then a name the CA cannot reach, which fails with the
 * CA's cause, keeps the old certificate and is then held back by the backoff.
 */
class AcmeRunnerIT {
  private static final Path RUNNER =
      Path.of(
          System.getProperty("hoist.root", "."), "src/main/resources/dev/hoist/tls/hoist-acme.py");

  /** Ports apart from {@link Pebble#shared}'s, and a validation port that is not 80. */
  private static final Pebble.Ports PORTS = new Pebble.Ports(14100, 15100, 8153, 8155, 5402);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NAMES = List.of("hello.example.com", "www.hello.example.com");
  private static Pebble pebble;

  @TempDir Path tmp;

  @BeforeAll
  static void startPebble() throws Exception {
    pebble = Pebble.start(PORTS, null);
  }

  @AfterAll
  static void stopPebble() throws Exception {
    pebble.close();
  }

  @Test
  void issuesKeepsRenewsAndBacksOffAgainstPebble() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("hello"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Path reloaded = tmp.resolve("reloaded");
    writeConfig(dir, pebble, NAMES, reloaded);

    Run issued = ensure(dir);
    assertThat(issued.exit()).as(issued.toString()).isZero();
    assertThat(issued.json().get("action").asText()).isEqualTo("issued");
    List<X509Certificate> chain = certificates(dir.resolve("cert.pem"));
    verifyAgainstIssuingRoot(chain);
    assertThat(dnsNames(chain.get(0))).containsExactlyInAnyOrderElementsOf(NAMES);
    assertThat(issued.json().get("not_after").asLong())
        .isEqualTo(chain.get(0).getNotAfter().getTime() / 1000);
    assertKeyMatches(dir, chain.get(0));
    assertThat(Files.readString(dir.resolve("haproxy.pem")))
        .isEqualTo(
            Files.readString(dir.resolve("cert.pem")) + Files.readString(dir.resolve("key.pem")));
    assertThat(reloaded).exists();
    assertThat(issued.out()).doesNotContain("PRIVATE");

    Files.delete(reloaded);
    Run again = ensure(dir);
    assertThat(again.json().get("action").asText()).as(again.toString()).isEqualTo("unchanged");
    assertThat(reloaded).doesNotExist();

    Run forced = ensure(dir, "--force");
    assertThat(forced.json().get("action").asText()).as(forced.toString()).isEqualTo("renewed");
    X509Certificate renewed = certificates(dir.resolve("cert.pem")).get(0);
    assertThat(renewed.getSerialNumber()).isNotEqualTo(chain.get(0).getSerialNumber());
    assertKeyMatches(dir, renewed);
    assertThat(reloaded).exists();

    // A lost cert.pem comes back from certbot's own lineage: not due, so no new issuance.
    Files.delete(dir.resolve("cert.pem"));
    Run restored = ensure(dir);
    assertThat(restored.json().get("action").asText()).as(restored.toString()).isEqualTo("issued");
    assertThat(certificates(dir.resolve("cert.pem")).get(0).getSerialNumber())
        .isEqualTo(renewed.getSerialNumber());

    // The new name resolves, for the CA, to an address where nothing listens.
    pebble.mapHost("api.hello.example.com", "127.0.0.2");
    try {
      byte[] cert = Files.readAllBytes(dir.resolve("cert.pem"));
      byte[] key = Files.readAllBytes(dir.resolve("key.pem"));
      writeConfig(dir, pebble, List.of("hello.example.com", "api.hello.example.com"), reloaded);
      Run failed = ensure(dir);
      assertThat(failed.exit()).as(failed.toString()).isEqualTo(1);
      JsonNode f = failed.json();
      assertThat(f.get("action").asText()).isEqualTo("failed");
      assertThat(f.get("message").asText())
          .contains("does not cover api.hello.example.com")
          .contains("api.hello.example.com: connection")
          .containsIgnoringCase("connection refused")
          .contains("the CA connected to 127.0.0.2; this node has");
      assertThat(Files.readAllBytes(dir.resolve("cert.pem"))).isEqualTo(cert);
      assertThat(Files.readAllBytes(dir.resolve("key.pem"))).isEqualTo(key);
      JsonNode state = JSON.readTree(dir.resolve("state.json").toFile());
      assertThat(state.get("failures").asInt()).isEqualTo(1);
      assertThat(state.get("ok").asBoolean()).isFalse();
      long nextAttempt = state.get("last_attempt").asLong() + 300;
      assertThat(state.get("next_attempt").asLong()).isEqualTo(nextAttempt);

      Run skipped = ensure(dir);
      assertThat(skipped.exit()).isZero();
      assertThat(skipped.json().get("action").asText()).isEqualTo("skipped");
      assertThat(skipped.json().get("next_attempt").asLong()).isEqualTo(nextAttempt);
      assertThat(JSON.readTree(dir.resolve("state.json").toFile()).get("failures").asInt())
          .isEqualTo(1);
    } finally {
      pebble.unmapHost("api.hello.example.com");
    }
  }

  /**
   * Pebble's certificateValidityPeriod: a 2-day certificate is due at once (renewal at 30 days).
   */
  @Test
  void shortLivedCertificatesAreDueForRenewal() throws Exception {
    Pebble.Ports ports = new Pebble.Ports(14200, 15200, 8253, 8255, 5403);
    try (Pebble shortLived = Pebble.start(ports, Duration.ofDays(2))) {
      Path dir = Files.createDirectory(tmp.resolve("short"));
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      writeConfig(dir, shortLived, NAMES, tmp.resolve("reloaded"));
      Run issued = ensure(dir);
      assertThat(issued.json().get("action").asText()).as(issued.toString()).isEqualTo("issued");
      X509Certificate cert = certificates(dir.resolve("cert.pem")).get(0);
      assertThat(Duration.between(Instant.now(), cert.getNotAfter().toInstant()))
          .isBetween(Duration.ofDays(2).minusMinutes(5), Duration.ofDays(2));
      Run renewed = ensure(dir);
      assertThat(renewed.json().get("action").asText()).as(renewed.toString()).isEqualTo("renewed");
      assertThat(renewed.json().get("message").asText()).contains("expires in 1 day (");
    }
  }

  private static void writeConfig(Path dir, Pebble pebble, List<String> names, Path reloaded)
      throws IOException {
    Map<String, Object> config =
        Map.of(
            "app",
            "hello",
            "names",
            names,
            "directory",
            pebble.directoryUrl("localhost"),
            "ca_file",
            pebble.caFile().toString(),
            "challenge",
            Map.of("standalone", "127.0.0.1:" + pebble.httpPort()),
            "renew_before_days",
            30,
            "reload",
            List.of(List.of("/usr/bin/touch", reloaded.toString())),
            "haproxy_pem",
            true);
    JSON.writeValue(dir.resolve("acme.json").toFile(), config);
  }

  private record Run(int exit, String out, String err) {
    JsonNode json() throws IOException {
      return JSON.readTree(out);
    }
  }

  private static Run ensure(Path dir, String... flags) throws IOException, InterruptedException {
    List<String> argv =
        new ArrayList<>(
            List.of("/usr/bin/python3", "-I", RUNNER.toString(), "ensure", dir.toString()));
    argv.addAll(List.of(flags));
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().keySet().removeIf(k -> k.startsWith("HOIST_ACME_"));
    Process p = builder.start();
    p.getOutputStream().close();
    // certbot's own timeout is 300 s; against a local pebble a run takes a few seconds.
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("hoist-acme did not finish in 120 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
    String log =
        Files.exists(dir.resolve("last.log")) ? Files.readString(dir.resolve("last.log")) : "";
    assertThat(out.lines().count())
        .as("one JSON line; stderr:\n%s\nlast.log:\n%s", err, log)
        .isEqualTo(1);
    return new Run(p.exitValue(), out, err);
  }

  private static List<X509Certificate> certificates(Path pem) throws Exception {
    List<X509Certificate> chain = new ArrayList<>();
    for (var c :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)))) {
      chain.add((X509Certificate) c);
    }
    return chain;
  }

  private static void verifyAgainstIssuingRoot(List<X509Certificate> chain) throws Exception {
    X509Certificate root =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(pebble.issuingRoot().getBytes(UTF_8)));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(chain), params);
  }

  private static List<String> dnsNames(X509Certificate cert) throws Exception {
    List<String> names = new ArrayList<>();
    for (List<?> san : cert.getSubjectAlternativeNames()) {
      if ((Integer) san.get(0) == 2) {
        names.add((String) san.get(1));
      }
    }
    return names;
  }

  /** key.pem is the private half of the certificate's key: what it signs, the cert verifies. */
  private static void assertKeyMatches(Path dir, X509Certificate cert)
      throws IOException, GeneralSecurityException {
    String pem = Files.readString(dir.resolve("key.pem"));
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    PrivateKey key =
        KeyFactory.getInstance(cert.getPublicKey().getAlgorithm())
            .generatePrivate(new PKCS8EncodedKeySpec(der));
    byte[] data = "hoist".getBytes(UTF_8);
    Signature sign = Signature.getInstance("SHA256withECDSA");
    sign.initSign(key);
    sign.update(data);
    byte[] signature = sign.sign();
    Signature verify = Signature.getInstance("SHA256withECDSA");
    verify.initVerify(cert.getPublicKey());
    verify.update(data);
    assertThat(verify.verify(signature)).as("key.pem matches cert.pem").isTrue();
  }
}
