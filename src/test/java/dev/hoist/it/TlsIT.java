package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS on this machine's nginx with a certificate from a real ACME CA (pebble) through real
 * certbot: issued on the first deploy, served with HTTP/2 and the redirect, renewed under load
 * without a failed request, and a CA that cannot be reached leaves the site on HTTP with a warning.
 */
@TestMethodOrder(OrderAnnotation.class)
class TlsIT {
  static final String APP = "ittls";
  static final String DOMAIN = APP + ".example.com";
  static final String ALIAS = "www." + DOMAIN;
  static final String DOWN_APP = "ittlsdown";
  @TempDir static Path tmp;
  static Pebble pebble;
  static Curl curl;
  static Path project;

  @BeforeAll
  static void setUp() throws Exception {
    purge();
    pebble = Pebble.shared();
    Path root = tmp.resolve("pebble-root.pem");
    Files.writeString(root, pebble.issuingRoot());
    curl = new Curl("127.0.0.1", root);
    project =
        HelloCopy.make(
            APP,
            tmp,
            "aliases: ["
                + ALIAS
                + "]\ntls:\n  acme:\n    email: ops@example.com\n    directory: "
                + pebble.directoryUrl("127.0.0.1")
                + "\n    ca: "
                + pebble.caFile()
                + "\n");
    domain(project, DOMAIN);
  }

  @AfterAll
  static void tearDown() throws Exception {
    purge();
  }

  static void purge() throws Exception {
    Hoist.purge(APP);
    Hoist.purge(DOWN_APP);
  }

  /** The example's {@code domain: <app>.test}, made public. */
  static void domain(Path project, String domain) throws Exception {
    Path yml = project.resolve("hoist.yml");
    Files.writeString(
        yml, Files.readString(yml).replaceAll("(?m)^domain: .*$", "domain: " + domain));
  }

  @Test
  @Order(1)
  void theFirstDeployGetsACertificateAndServesHttpsWithHttp2AndRedirectsHttp() throws Exception {
    Hoist.Result deploy = Hoist.run("deploy", project.toString());

    assertThat(deploy.exit()).as(deploy.all()).isZero();
    assertThat(deploy.all())
        .contains("tls:certificate  issued: certificate issued (no certificate yet)")
        .contains("serving https://" + DOMAIN + "/");
    curl.servesHttps(DOMAIN);
    assertThat(curl.status("http://" + ALIAS + "/x")).isEqualTo("301 https://" + DOMAIN + "/x");
    assertThat(curl.status("https://" + ALIAS + "/x")).isEqualTo("301 https://" + DOMAIN + "/x");
    // The challenge path is not redirected (a renewal needs it on HTTP).
    assertThat(curl.status("http://" + DOMAIN + "/.well-known/acme-challenge/none"))
        .startsWith("404");
    // TLS 1.1 and older are refused (Mozilla intermediate).
    assertThat(curl.run("--tls-max", "1.1", "https://" + DOMAIN + "/").exit()).isNotZero();

    PosixFileAttributes key =
        Files.readAttributes(
            Path.of("/etc/hoist/tls/" + APP + "/key.pem"), PosixFileAttributes.class);
    assertThat(key.owner().getName()).isEqualTo("root");
    assertThat(PosixFilePermissions.toString(key.permissions())).isEqualTo("rw-------");
    assertThat(Hoist.sh("sv status /etc/service/hoist-tls-" + APP)).startsWith("run:");
  }

  @Test
  @Order(2)
  void aSecondDeployChangesNothingInOneRoundTrip() throws Exception {
    Hoist.Result again = Hoist.run("deploy", project.toString(), "--json");

    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out()).contains("\"roundTrips\" : 1").contains("\"changes\" : [ ]");
  }

  @Test
  @Order(3)
  void aForcedRenewalUnderHttpsLoadFailsNoRequestAndServesTheNewCertificate() throws Exception {
    String before = Files.readString(Path.of("/etc/hoist/tls/" + APP + "/cert.pem"));

    RenewalUnderLoad.check(
        tmp,
        DOMAIN,
        "127.0.0.1",
        tmp.resolve("pebble-root.pem"),
        40000,
        () ->
            Hoist.capture(
                new ProcessBuilder(
                    "/usr/bin/python3",
                    "-I",
                    "/usr/local/lib/hoist/hoist-acme",
                    "ensure",
                    "/etc/hoist/tls/" + APP,
                    "--force"),
                "hoist-acme"));

    assertThat(Files.readString(Path.of("/etc/hoist/tls/" + APP + "/cert.pem")))
        .isNotEqualTo(before);
    // What nginx serves now is the new certificate.
    Hoist.Result served =
        Hoist.capture(
            new ProcessBuilder(
                "sh",
                "-c",
                "openssl s_client -connect 127.0.0.1:443 -servername "
                    + DOMAIN
                    + " </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"),
            "openssl");
    Hoist.Result file =
        Hoist.capture(
            new ProcessBuilder(
                "openssl",
                "x509",
                "-noout",
                "-fingerprint",
                "-sha256",
                "-in",
                "/etc/hoist/tls/" + APP + "/cert.pem"),
            "openssl");
    assertThat(served.out().strip()).isNotEmpty().isEqualTo(file.out().strip());
  }

  @Test
  @Order(4)
  void aCaThatCannotBeReachedLeavesTheSiteOnHttpWithALoudWarning() throws Exception {
    Path down =
        HelloCopy.make(
            DOWN_APP, tmp, "tls:\n  acme:\n    directory: https://127.0.0.1:14999/dir\n");
    domain(down, DOWN_APP + ".example.com");

    Hoist.Result deploy = Hoist.run("deploy", down.toString());

    assertThat(deploy.exit()).as(deploy.all()).isZero();
    assertThat(deploy.err()).contains("HTTPS IS NOT SERVED").contains("14999");
    assertThat(curl.status("http://" + DOWN_APP + ".example.com/")).startsWith("200");
    assertThat(Files.readString(Path.of("/etc/hoist/tls/" + DOWN_APP + "/state.json")))
        .contains("\"failures\": 1");

    Hoist.Result again = Hoist.run("deploy", down.toString());
    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.err()).contains("HTTPS IS NOT SERVED").contains("backoff");
  }
}
