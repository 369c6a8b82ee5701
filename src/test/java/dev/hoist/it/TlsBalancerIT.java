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
 * HTTPS ended by HAProxy on a systemd lb node (sd1, web nodes sd2 and sd3), its certificate from a
 * real ACME CA (pebble) through the node's own certbot, renewed by a systemd timer's runner: served
 * with HTTP/2 and the redirect, renewed under load without a failed request, and a name whose DNS
 * points at another node is refused with both addresses while the old certificate keeps serving.
 */
@TestMethodOrder(OrderAnnotation.class)
class TlsBalancerIT {
  static final String APP = "itlbtls";
  static final String DOMAIN = APP + ".example.com";
  static final String ALIAS = "www." + DOMAIN;
  static final String ELSEWHERE = "api." + DOMAIN;
  static final String NOWHERE = "10.213.77.197";
  @TempDir static Path tmp;
  static List<LabNodes.Node> nodes;
  static Pebble pebble;
  static Curl curl;
  static Path project;

  @BeforeAll
  static void lab() throws Exception {
    // Fresh nodes: another class's apps (ServicesLabIT's on sd1) would hold port 80, which
    // HAProxy needs.
    LabNodes.down();
    nodes = LabNodes.upSystemd(3);
    pebble = Pebble.shared();
    pebble.mapHost(DOMAIN, lb().address());
    pebble.mapHost(ALIAS, lb().address());
    // Its DNS points at an address in the lab's network where no node is, not at the balancer.
    pebble.mapHost(ELSEWHERE, NOWHERE);
    Path root = tmp.resolve("pebble-root.pem");
    Files.writeString(root, pebble.issuingRoot());
    curl = new Curl(lb().address(), root);
    project = Hoist.copyExample("hello", "hello", APP, tmp);
    yml(List.of(ALIAS));
  }

  @AfterAll
  static void down() throws Exception {
    // HAProxy holds ports 80 and 443 on sd1: gone, so later classes get nodes they can deploy to.
    LabNodes.down();
  }

  static LabNodes.Node lb() {
    return nodes.get(0);
  }

  static void yml(List<String> aliases) throws Exception {
    Files.writeString(
        project.resolve("hoist.yml"),
        "app: "
            + APP
            + "\nwsgi: hello:application\ndomain: "
            + DOMAIN
            + "\naliases: ["
            + String.join(", ", aliases)
            + "]\nhealth: {path: /healthz, contains: ok}\n"
            + "tls:\n  acme:\n    directory: "
            + pebble.directoryUrl("10.213.77.1")
            + "\n    ca: "
            + pebble.caFile()
            + "\n"
            + LabNodes.nodesYaml("deploy", nodes)
            + "\nenvironments:\n  live: {lb: [sd1], web: [sd2, sd3]}\n");
  }

  @Test
  @Order(1)
  void theBalancerGetsACertificateAndServesHttpsWithHttp2AndTheRedirect() throws Exception {
    Hoist.Result deploy = Hoist.run("deploy", project.toString(), "--env", "live");

    assertThat(deploy.exit()).as(deploy.all()).isZero();
    assertThat(deploy.all())
        .contains("sd1: certificate issued")
        .contains("sd1: HAProxy serves HTTPS");
    curl.servesHttps(DOMAIN);
    assertThat(curl.status("https://" + ALIAS + "/x")).isEqualTo("301 https://" + DOMAIN + "/x");
    // The challenge path goes to certbot's own server (not running now), never to a redirect.
    assertThat(curl.status("http://" + DOMAIN + "/.well-known/acme-challenge/none"))
        .startsWith("503");
    assertThat(
            LabNodes.ssh("root", lb(), "systemctl", "is-active", "hoist-tls-" + APP + ".timer")
                .out()
                .strip())
        .isEqualTo("active");
    // What the timer starts: the hardened oneshot unit runs the runner, which finds nothing due.
    Hoist.Result job =
        LabNodes.ssh("root", lb(), "systemctl", "start", "hoist-tls-" + APP + ".service");
    assertThat(job.exit()).as(job.all()).isZero();
    assertThat(
            LabNodes.ssh(
                    "root",
                    lb(),
                    "journalctl",
                    "--no-pager",
                    "-o",
                    "cat",
                    "-u",
                    "hoist-tls-" + APP + ".service")
                .out())
        .contains(": unchanged: ");
  }

  @Test
  @Order(2)
  void aForcedRenewalUnderHttpsLoadThroughHaproxyFailsNoRequest() throws Exception {
    RenewalUnderLoad.check(
        tmp,
        DOMAIN,
        lb().address(),
        tmp.resolve("pebble-root.pem"),
        60000,
        () ->
            LabNodes.ssh(
                "root",
                lb(),
                "/usr/bin/python3",
                "-I",
                "/usr/local/lib/hoist/hoist-acme",
                "ensure",
                "/etc/hoist/tls/" + APP,
                "--force"));
  }

  @Test
  @Order(3)
  void aNameWhoseDnsPointsElsewhereIsRefusedWithBothAddressesAndTheOldCertificateServes()
      throws Exception {
    yml(List.of(ALIAS, ELSEWHERE));

    Hoist.Result deploy = Hoist.run("deploy", project.toString(), "--env", "live");

    assertThat(deploy.exit()).as(deploy.all()).isZero();
    assertThat(deploy.all())
        .contains("WARNING sd1: the certificate was not renewed")
        .contains("the CA connected to " + NOWHERE)
        .contains("this node has " + lb().address());
    Hoist.Result page = curl.run("https://" + DOMAIN + "/");
    assertThat(page.exit()).as(page.err()).isZero();
    assertThat(page.out()).contains("Hello from hoist!");
  }
}
