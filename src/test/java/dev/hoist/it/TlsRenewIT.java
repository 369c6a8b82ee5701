package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hoist tls renew} with a real ACME CA (pebble) and real certbot and nginx on this machine:
 * a first deploy whose challenge fails (the name's DNS fails) stays on HTTP, and {@code status} and
 * {@code check} say why; once DNS answers, {@code tls renew} gets the certificate past the backoff
 * and switches nginx to HTTPS; again it changes nothing, and {@code --force} renews.
 */
@TestMethodOrder(OrderAnnotation.class)
class TlsRenewIT {
  static final String APP = "itrenew";
  static final String DOMAIN = APP + ".example.com";
  @TempDir static Path tmp;
  static Pebble pebble;
  static Curl curl;
  static Path project;

  @BeforeAll
  static void setUp() throws Exception {
    Hoist.purge(APP);
    pebble = Pebble.shared();
    Path root = tmp.resolve("pebble-root.pem");
    Files.writeString(root, pebble.issuingRoot());
    curl = new Curl("127.0.0.1", root);
    project =
        HelloCopy.make(
            APP,
            tmp,
            "tls:\n  acme:\n    directory: "
                + pebble.directoryUrl("127.0.0.1")
                + "\n    ca: "
                + pebble.caFile()
                + "\n");
    Hoist.replace(project.resolve("hoist.yml"), "domain: " + APP + ".test", "domain: " + DOMAIN);
  }

  @AfterAll
  static void tearDown() throws Exception {
    pebble.servfail(DOMAIN, false);
    Hoist.purge(APP);
  }

  @Test
  @Order(1)
  void aFailedFirstAttemptLeavesHttpAndStatusAndCheckSayWhy() throws Exception {
    pebble.servfail(DOMAIN, true);
    Hoist.Result deploy = Hoist.run("deploy", project.toString());
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    assertThat(deploy.err()).contains("HTTPS IS NOT SERVED");
    assertThat(curl.status("http://" + DOMAIN + "/")).startsWith("200");

    Hoist.Result status = Hoist.run("status", project.toString());
    assertThat(status.exit()).as(status.all()).isZero();
    assertThat(status.out())
        .contains("certificate: none yet")
        .contains("source: ACME from " + pebble.directoryUrl("127.0.0.1"))
        .contains(", failed: issuing failed (no certificate yet)")
        .contains("; next attempt after ")
        .contains("check: WARNING - no certificate yet: issuing failed");

    Hoist.Result check = Hoist.run("check", project.toString());
    assertThat(check.exit()).as(check.all()).isEqualTo(1);
    assertThat(check.out())
        .startsWith("HOIST WARNING - " + APP + ": no certificate yet: issuing failed")
        .doesNotContain("cert_days");
  }

  @Test
  @Order(2)
  void renewGetsItPastTheBackoffAndSwitchesNginxToHttps() throws Exception {
    pebble.servfail(DOMAIN, false);
    Hoist.Result renew = Hoist.run("tls", "renew", project.toString());
    assertThat(renew.exit()).as(renew.all()).isZero();
    assertThat(renew.out())
        .startsWith("issued - certificate issued (no certificate yet) for " + DOMAIN)
        .contains("nginx now serves HTTPS; HTTP redirects to it");

    Hoist.Result page = curl.run("https://" + DOMAIN + "/");
    assertThat(page.exit()).as(page.err()).isZero();
    assertThat(page.out()).contains("Hello from hoist!");
    assertThat(curl.status("http://" + DOMAIN + "/x")).isEqualTo("301 https://" + DOMAIN + "/x");

    Hoist.Result check = Hoist.run("check", project.toString());
    assertThat(check.exit()).as(check.all()).isZero();
    assertThat(check.out()).startsWith("HOIST OK - " + APP + ": ").contains(" cert_days=");
    Hoist.Result status = Hoist.run("tls", "status", project.toString(), "--json");
    assertThat(status.out())
        .contains("\"names\" : [ \"" + DOMAIN + "\" ]", "\"ok\" : true")
        .doesNotContain("PRIVATE", "BEGIN");
  }

  @Test
  @Order(3)
  void againNothingIsDueAndForceRenews() throws Exception {
    String before = Files.readString(Path.of("/etc/hoist/tls/" + APP + "/cert.pem"));
    Hoist.Result again = Hoist.run("tls", "renew", project.toString());
    assertThat(again.exit()).as(again.all()).isZero();
    assertThat(again.out()).startsWith("unchanged - the certificate covers every name");
    assertThat(Files.readString(Path.of("/etc/hoist/tls/" + APP + "/cert.pem"))).isEqualTo(before);

    Hoist.Result forced = Hoist.run("tls", "renew", project.toString(), "--force", "--json");
    assertThat(forced.exit()).as(forced.all()).isZero();
    assertThat(forced.out()).contains("\"action\" : \"renewed\"", "\"ok\" : true");
    assertThat(Files.readString(Path.of("/etc/hoist/tls/" + APP + "/cert.pem")))
        .isNotEqualTo(before);
  }
}
