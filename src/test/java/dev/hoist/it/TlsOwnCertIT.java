package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.stack.SelfSigned;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own certificate on this machine, through real nginx: {@code hoist status} shows it,
 * {@code hoist check} warns with 10 days left and is critical with 2, a certificate for another
 * name is refused before anything changes, and {@code hoist tls renew} says it cannot renew it.
 */
@TestMethodOrder(OrderAnnotation.class)
class TlsOwnCertIT {
  static final String APP = "itcertown";
  static final String DOMAIN = APP + ".example.com";
  @TempDir static Path tmp;
  static Path project;
  static Path certs;
  static Path pem;

  @BeforeAll
  static void setUp() throws Exception {
    Hoist.purge(APP);
    certs = Files.createDirectories(tmp.resolve("certs"));
    // Outside the project, so the key is not shipped with the code.
    pem = certs.resolve("site.pem");
    project = HelloCopy.make(APP, tmp, "tls: {cert: " + pem + "}\n");
    Hoist.replace(project.resolve("hoist.yml"), "domain: " + APP + ".test", "domain: " + DOMAIN);
  }

  @AfterAll
  static void tearDown() throws Exception {
    Hoist.purge(APP);
  }

  /**
   * Makes {@link #pem}: a certificate for {@code name} valid {@code days} from now, and its key.
   */
  static void certificate(String name, int days) throws Exception {
    SelfSigned.Files f = SelfSigned.make(certs, name + "-" + days, List.of(name), days);
    Files.copy(f.both(), pem, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  static String https(String path) throws Exception {
    return Hoist.sh(
        "curl -sk --max-time 10 --resolve "
            + DOMAIN
            + ":443:127.0.0.1 -w ' %{http_code}' https://"
            + DOMAIN
            + path);
  }

  @Test
  @Order(1)
  void tenDaysLeftShowInStatusAndWarnInCheck() throws Exception {
    certificate(DOMAIN, 10);
    Hoist.Result deploy = Hoist.run("deploy", project.toString());
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    assertThat(https("/healthz")).as("nginx serves the certificate").endsWith(" 200");

    Hoist.Result status = Hoist.run("status", project.toString());
    assertThat(status.exit()).as(status.all()).isZero();
    assertThat(status.out())
        .contains("certificate for " + DOMAIN + ": expires in 9 days (")
        .contains("issuer " + DOMAIN)
        .contains("source: your own file " + pem)
        .contains("check: WARNING - the certificate for " + DOMAIN + " expires in 9 days");

    Hoist.Result json = Hoist.run("status", project.toString(), "--json");
    assertThat(json.exit()).as(json.all()).isZero();
    assertThat(json.out())
        .contains("\"daysLeft\" : 9", "\"names\" : [ \"" + DOMAIN + "\" ]", "\"healthy\" : true")
        .doesNotContain("PRIVATE", "BEGIN");

    Hoist.Result check = Hoist.run("check", project.toString());
    assertThat(check.exit()).as(check.all()).isEqualTo(1);
    assertThat(check.out().strip())
        .startsWith(
            "HOIST WARNING - " + APP + ": the certificate for " + DOMAIN + " expires in 9 days")
        .endsWith(" cert_days=9;14;3")
        .contains(" | release=");
  }

  @Test
  @Order(2)
  void twoDaysLeftAreCritical() throws Exception {
    certificate(DOMAIN, 2);
    Hoist.Result deploy = Hoist.run("deploy", project.toString());
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    Hoist.Result check = Hoist.run("check", project.toString());
    assertThat(check.exit()).as(check.all()).isEqualTo(2);
    assertThat(check.out().strip())
        .startsWith(
            "HOIST CRITICAL - " + APP + ": the certificate for " + DOMAIN + " expires in 1 day (")
        .endsWith(" cert_days=1;14;3");
  }

  @Test
  @Order(3)
  void aCertificateForAnotherNameIsRefusedNamingTheFile() throws Exception {
    String site = Files.readString(Path.of("/etc/nginx/sites-enabled/hoist-" + APP + ".conf"));
    certificate("other.example.com", 60);
    Hoist.Result deploy = Hoist.run("deploy", project.toString());
    assertThat(deploy.exit()).as(deploy.all()).isEqualTo(2);
    assertThat(deploy.err())
        .contains(pem.toString())
        .contains("the certificate is for other.example.com, not for " + DOMAIN);
    // Refused before anything changed: the 2-day certificate still serves, and check says so.
    assertThat(Files.readString(Path.of("/etc/nginx/sites-enabled/hoist-" + APP + ".conf")))
        .isEqualTo(site);
    Hoist.Result check = Hoist.run("check", project.toString());
    assertThat(check.exit()).as(check.all()).isEqualTo(2);
    assertThat(check.out()).contains("cert_days=1;14;3");
  }

  @Test
  @Order(4)
  void tlsRenewSaysAnOwnCertificateIsTheUsersToRenew() throws Exception {
    Hoist.Result renew = Hoist.run("tls", "renew", project.toString());
    assertThat(renew.exit()).as(renew.all()).isEqualTo(2);
    assertThat(renew.err()).contains("is your own file " + pem);
    Hoist.Result status = Hoist.run("tls", "status", project.toString());
    assertThat(status.exit()).as(status.all()).isZero();
    assertThat(status.out()).contains("certificate for " + DOMAIN + ": expires in 1 day (");
  }
}
