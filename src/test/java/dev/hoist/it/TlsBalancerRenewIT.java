package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The certificate of an environment with a balancer lives on the lb node (lab1; web nodes lab2,
 * lab3): {@code status} and {@code check} read it there, and {@code tls renew} runs there and
 * switches HAProxy to HTTPS once the first certificate comes (pebble, real certbot and HAProxy).
 */
@TestMethodOrder(OrderAnnotation.class)
class TlsBalancerRenewIT {
  static final String APP = "itlbrenew";
  static final String DOMAIN = APP + ".example.com";
  @TempDir static Path tmp;
  static List<LabNodes.Node> nodes;
  static Pebble pebble;
  static Curl curl;
  static Path project;

  @BeforeAll
  static void lab() throws Exception {
    // Fresh nodes: another class's apps would hold port 80 on lab1, which HAProxy needs.
    LabNodes.down();
    nodes = LabNodes.up(3);
    pebble = Pebble.shared();
    Path root = tmp.resolve("pebble-root.pem");
    Files.writeString(root, pebble.issuingRoot());
    curl = new Curl(lb().address(), root);
    project = Hoist.copyExample("hello", "hello", APP, tmp);
    Files.writeString(
        project.resolve("hoist.yml"),
        "app: "
            + APP
            + "\nwsgi: hello:application\ndomain: "
            + DOMAIN
            + "\nhealth: {path: /healthz, contains: ok}\n"
            + "tls:\n  acme:\n    directory: "
            + pebble.directoryUrl("10.213.77.1")
            + "\n    ca: "
            + pebble.caFile()
            + "\n"
            + LabNodes.nodesYaml("root", nodes)
            + "\nenvironments:\n  live: {lb: [lab1], web: [lab2, lab3]}\n");
  }

  @AfterAll
  static void down() throws Exception {
    pebble.servfail(DOMAIN, false);
    pebble.unmapHost(DOMAIN);
    // HAProxy holds ports 80 and 443 on lab1: gone, so later classes get nodes they can deploy to.
    LabNodes.down();
  }

  static LabNodes.Node lb() {
    return nodes.get(0);
  }

  @Test
  @Order(1)
  void statusAndCheckReadTheCertificateOnTheBalancer() throws Exception {
    pebble.servfail(DOMAIN, true);
    Hoist.Result deploy = Hoist.run("deploy", project.toString(), "--env", "live");
    assertThat(deploy.exit()).as(deploy.all()).isZero();
    assertThat(deploy.all()).contains("HTTPS IS NOT SERVED");

    Hoist.Result status = Hoist.run("status", project.toString(), "--env", "live");
    assertThat(status.exit()).as(status.all()).isZero();
    String out = status.out();
    assertThat(out).contains("balancer on lab1: 2 web node(s), 2 UP");
    // One certificate, under the balancer, before the web nodes' lines.
    assertThat(out.split("certificate: none yet", -1)).hasSize(2);
    assertThat(out.indexOf("certificate: none yet")).isLessThan(out.indexOf(APP + " on lab2"));
    assertThat(out).contains("check: WARNING - no certificate yet: issuing failed");

    Hoist.Result json = Hoist.run("status", project.toString(), "--env", "live", "--json");
    assertThat(json.out())
        .contains("\"balancer\" : {", "\"node\" : \"lab1\"", "\"source\" : \"ACME from ")
        .doesNotContain("PRIVATE");

    Hoist.Result check = Hoist.run("check", project.toString(), "--env", "live");
    assertThat(check.exit()).as(check.all()).isEqualTo(1);
    assertThat(check.out())
        .startsWith("HOIST WARNING - " + APP + " on lab1: no certificate yet: issuing failed")
        .contains("(2 of 2 nodes healthy)");
  }

  @Test
  @Order(2)
  void renewRefusesAWebNodeAlone() throws Exception {
    Hoist.Result renew =
        Hoist.run("tls", "renew", project.toString(), "--env", "live", "--node", "lab2");
    assertThat(renew.exit()).as(renew.all()).isEqualTo(2);
    assertThat(renew.err()).contains("TLS ends on the balancer lab1");
  }

  @Test
  @Order(3)
  void renewGetsTheCertificateOnTheBalancerAndHaproxyServesIt() throws Exception {
    pebble.servfail(DOMAIN, false);
    pebble.mapHost(DOMAIN, lb().address());
    Hoist.Result renew = Hoist.run("tls", "renew", project.toString(), "--env", "live");
    assertThat(renew.exit()).as(renew.all()).isZero();
    assertThat(renew.out())
        .contains("lab1: issued - certificate issued (no certificate yet) for " + DOMAIN)
        .contains("HAProxy now serves HTTPS; HTTP redirects to it")
        .contains("1 of 1 node with a current certificate");

    Hoist.Result page = curl.run("https://" + DOMAIN + "/");
    assertThat(page.exit()).as(page.err()).isZero();
    assertThat(page.out()).contains("Hello from hoist!");
    assertThat(curl.status("http://" + DOMAIN + "/x")).isEqualTo("301 https://" + DOMAIN + "/x");

    Hoist.Result check = Hoist.run("check", project.toString(), "--env", "live");
    assertThat(check.exit()).as(check.all()).isZero();
    assertThat(check.out()).startsWith("HOIST OK - ").contains(" cert_days=");
    Hoist.Result status = Hoist.run("tls", "status", project.toString(), "--env", "live");
    assertThat(status.exit()).as(status.all()).isZero();
    assertThat(status.out())
        .startsWith("lab1\n")
        .contains("certificate for " + DOMAIN + ": expires in ");
  }
}
