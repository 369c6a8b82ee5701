package dev.hoist.stack;

import static dev.hoist.stack.StackBuilderTest.content;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.engine.Catalog;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load balancer's resources and HAProxy config. */
class BalancerStackTest {
  private static final String CONFIG = "file:" + BalancerStack.CONFIG;
  private static final List<BalancerStack.Upstream> WEBS =
      List.of(
          new BalancerStack.Upstream("web1", "10.0.0.11", 80),
          new BalancerStack.Upstream("web2", "10.0.0.12", 80));

  @TempDir Path dir;

  static BalancerStack build(Spec spec, Supervisor supervisor) {
    return new BalancerStackBuilder(new Templates(List.of()), supervisor).build(spec, WEBS);
  }

  @Test
  void everyWebNodeIsAnUpstreamCheckedWithTheAppsHealthCheck() {
    String cfg = content(build(TestSpec.hello().build(), Supervisor.RUNIT).catalog(), CONFIG);

    assertThat(cfg)
        .contains("stats socket /run/hoist-lb/admin.sock mode 600 level admin expose-fd listeners")
        .contains("backend web\n")
        .contains("http-check send meth GET uri / ver HTTP/1.1 hdr Host hello.example.com")
        .contains("http-check expect status 200")
        .contains("default-server check inter 500ms fall 3 rise 2")
        .contains("    server web1 10.0.0.11:80\n    server web2 10.0.0.12:80")
        .contains("retry-on conn-failure empty-response")
        .contains("# HTTPS: on by default for a public domain")
        .doesNotContain("{{");
  }

  @Test
  void workersRunAsHaproxyInItsEmptyChrootWhileTheRootMasterKeepsTheSocketsAndFiles() {
    String cfg = content(build(TestSpec.hello().build(), Supervisor.SYSTEMD).catalog(), CONFIG);

    assertThat(cfg)
        .contains("global\n")
        .contains("    user haproxy\n    group haproxy\n    chroot /var/lib/haproxy\n")
        // Read by the master (not chrooted) at start and on each reload.
        .contains("server-state-file /run/hoist-lb/server-state")
        .contains("log stdout format short daemon notice");
    assertThat(cfg.indexOf("chroot")).isLessThan(cfg.indexOf("defaults"));
  }

  @Test
  void aliasesAreRedirectedToTheDomain() {
    Spec spec = TestSpec.hello().alias("www.hello.example.com").build();

    assertThat(content(build(spec, Supervisor.RUNIT).catalog(), CONFIG))
        .contains(
            "http-request redirect prefix http://hello.example.com code 301 if { hdr(host),field(1,:) -i www.hello.example.com }");
  }

  @Test
  void underRunitAHupReloadsHaproxyThroughItsControlScript() {
    Catalog c = build(TestSpec.hello().build(), Supervisor.RUNIT).catalog();

    assertThat(content(c, "file:/etc/sv/hoist-lb/run"))
        .contains("exec /usr/sbin/haproxy -W -db -f /etc/haproxy/hoist.cfg");
    assertThat(content(c, "file:/etc/sv/hoist-lb/control/h")).contains("kill -USR2");
    assertThat(c.contains("package:haproxy")).isTrue();
  }

  @Test
  void underSystemdTheUnitReloadsWithUsr2() {
    Catalog c = build(TestSpec.hello().build(), Supervisor.SYSTEMD).catalog();

    assertThat(content(c, "file:/etc/systemd/system/hoist-lb.service"))
        .contains("ExecReload=/bin/kill -USR2 $MAINPID")
        .contains("RuntimeDirectory=hoist-lb");
  }

  @Test
  void withTheUsersCertificateItServesHttpsAndRedirectsHttpToIt() throws Exception {
    SelfSigned.Files pem =
        SelfSigned.make(dir, "site", List.of("hello.example.com", "www.hello.example.com"), 30);
    Spec spec =
        TestSpec.hello().alias("www.hello.example.com").tlsCert(pem.both().toString()).build();

    Catalog c = buildWith(spec, Supervisor.RUNIT, pem.material(), false).catalog();

    assertThat(content(c, CONFIG))
        .contains("bind :443 ssl crt /etc/hoist/tls/hello/haproxy.pem alpn h2,http/1.1")
        .contains("http-request redirect scheme https code 301 unless { ssl_fc }\n")
        .contains("http-request set-header X-Forwarded-Proto https if { ssl_fc }")
        .contains("http-request set-header X-Forwarded-Proto http unless { ssl_fc }")
        .contains("redirect prefix https://hello.example.com code 301")
        .contains("ssl-default-bind-options prefer-client-ciphers ssl-min-ver TLSv1.2")
        .doesNotContain("acme");
    assertThat(content(c, "file:/etc/hoist/tls/hello/haproxy.pem"))
        .isEqualTo(Files.readString(pem.cert()) + Files.readString(pem.key()));
    assertThat(content(c, "file:/etc/hoist/tls/hello/cert.pem"))
        .isEqualTo(Files.readString(pem.cert()));
  }

  @Test
  void withAcmeItAnswersTheChallengeThroughCertbotAndServesHttpsOnceTheCertificateIsThere() {
    Spec spec =
        TestSpec.hello()
            .alias("www.hello.example.com")
            .tls(
                new dev.hoist.project.TlsSpec.Acme(
                    List.of("hello.example.com", "www.hello.example.com"),
                    java.util.Optional.empty(),
                    dev.hoist.project.TlsSpec.LETS_ENCRYPT,
                    java.util.Optional.empty(),
                    java.util.Optional.of(java.time.Duration.ofDays(365))))
            .build();

    String before = content(buildWith(spec, Supervisor.RUNIT, null, false).catalog(), CONFIG);
    Catalog after = buildWith(spec, Supervisor.SYSTEMD, null, true).catalog();

    assertThat(before)
        .contains("use_backend acme if acme_challenge")
        .contains("server certbot 127.0.0.1:402")
        .doesNotContain(":443");
    assertThat(content(after, CONFIG))
        .contains("bind :443 ssl crt /etc/hoist/tls/hello/haproxy.pem")
        .contains("redirect scheme https code 301 unless { ssl_fc } || acme_challenge")
        .contains("Strict-Transport-Security \"max-age=31536000\" if { ssl_fc }");
    assertThat(content(after, "file:/etc/hoist/tls/hello/acme.json"))
        .contains("\"standalone\" : \"127.0.0.1:402\"")
        .contains("\"haproxy_pem\" : true")
        .contains("[ \"systemctl\", \"reload\", \"hoist-lb\" ]");
    assertThat(after.contains("service:hoist-tls-hello.timer")).isTrue();
    assertThat(after.contains("package:certbot")).isTrue();
  }

  @Test
  void onSystemdTheRenewalTimerStartsOnlyAfterHaproxysUnitIsWrittenAndEnabled() {
    Spec spec =
        TestSpec.hello()
            .tls(
                new dev.hoist.project.TlsSpec.Acme(
                    List.of("hello.example.com"),
                    java.util.Optional.empty(),
                    dev.hoist.project.TlsSpec.LETS_ENCRYPT,
                    java.util.Optional.empty(),
                    java.util.Optional.empty()))
            .build();
    Catalog c = buildWith(spec, Supervisor.SYSTEMD, null, false).catalog();

    // Every unit is enabled before the first one starts: hoist-lb's unit must exist by then.
    List<String> steps =
        dev.hoist.engine.Planner.plan(c, java.util.Map.of(), java.util.Set.of()).steps().stream()
            .map(
                s ->
                    switch (s.op()) {
                      case dev.hoist.engine.AgentOp.FileWrite f -> "write " + f.path();
                      case dev.hoist.engine.AgentOp.ServiceEnable e ->
                          "enable " + e.service().name();
                      case dev.hoist.engine.AgentOp.ServiceUp u -> "up " + u.service().name();
                      default -> "other";
                    })
            .toList();
    assertThat(steps.indexOf("write /etc/systemd/system/hoist-lb.service"))
        .isGreaterThanOrEqualTo(0)
        .isLessThan(steps.indexOf("enable hoist-lb"));
    assertThat(steps.indexOf("up hoist-lb")).isLessThan(steps.indexOf("up hoist-tls-hello.timer"));
  }

  @Test
  void haproxyAcceptsTheConfigWhenItIsInstalled() throws Exception {
    Path haproxy = Path.of("/usr/sbin/haproxy");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(haproxy), "haproxy is not installed here");
    SelfSigned.Files pem =
        SelfSigned.make(dir, "site", List.of("hello.example.com", "www.hello.example.com"), 30);
    dev.hoist.project.TlsSpec acme =
        new dev.hoist.project.TlsSpec.Acme(
            List.of("hello.example.com"),
            java.util.Optional.empty(),
            dev.hoist.project.TlsSpec.LETS_ENCRYPT,
            java.util.Optional.empty(),
            java.util.Optional.of(java.time.Duration.ofDays(1)));
    List<BalancerStack> stacks =
        List.of(
            build(TestSpec.hello().alias("www.hello.example.com").build(), Supervisor.RUNIT),
            buildWith(
                TestSpec.hello()
                    .alias("www.hello.example.com")
                    .tlsCert(pem.both().toString())
                    .build(),
                Supervisor.RUNIT,
                pem.material(),
                false),
            buildWith(TestSpec.hello().tls(acme).build(), Supervisor.RUNIT, null, false),
            buildWith(TestSpec.hello().tls(acme).build(), Supervisor.RUNIT, null, true));
    for (BalancerStack stack : stacks) {
      Path cfg = dir.resolve("hoist.cfg");
      Files.writeString(
          cfg,
          content(stack.catalog(), CONFIG)
              .replace("/etc/hoist/tls/hello/haproxy.pem", pem.both().toString()));

      Process p =
          new ProcessBuilder(haproxy.toString(), "-c", "-f", cfg.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
    }
  }

  static BalancerStack buildWith(
      Spec spec, Supervisor supervisor, TlsMaterial material, boolean certOnNode) {
    return new BalancerStackBuilder(new Templates(List.of()), supervisor)
        .build(spec, WEBS, java.util.Optional.ofNullable(material), certOnNode);
  }
}
