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
        .contains("# TLS-ready")
        .doesNotContain("{{");
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
  void withACertificateItServesHttpsAndRedirectsHttpToIt() {
    Spec spec =
        TestSpec.hello()
            .alias("www.hello.example.com")
            .tlsCert("/etc/ssl/private/hello.pem")
            .build();

    assertThat(content(build(spec, Supervisor.RUNIT).catalog(), CONFIG))
        .contains("bind :443 ssl crt /etc/ssl/private/hello.pem alpn h2,http/1.1")
        .contains("http-request redirect scheme https code 301 unless { ssl_fc }")
        .contains("redirect prefix https://hello.example.com code 301")
        .doesNotContain("# TLS-ready");
  }

  @Test
  void haproxyAcceptsTheConfigWhenItIsInstalled() throws Exception {
    Path haproxy = Path.of("/usr/sbin/haproxy");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(haproxy), "haproxy is not installed here");
    Path pem = dir.resolve("site.pem");
    Process openssl =
        new ProcessBuilder(
                "sh",
                "-c",
                "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=hello.example.com"
                    + " -keyout "
                    + pem
                    + ".key -out "
                    + pem
                    + ".crt -days 1 && cat "
                    + pem
                    + ".crt "
                    + pem
                    + ".key > "
                    + pem)
            .redirectErrorStream(true)
            .start();
    String made = new String(openssl.getInputStream().readAllBytes(), UTF_8);
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(openssl.exitValue()).as(made).isZero();
    for (Spec spec :
        List.of(
            TestSpec.hello().alias("www.hello.example.com").build(),
            TestSpec.hello().alias("www.hello.example.com").tlsCert(pem.toString()).build())) {
      Path cfg = dir.resolve("hoist.cfg");
      Files.writeString(cfg, content(build(spec, Supervisor.RUNIT).catalog(), CONFIG));

      Process p =
          new ProcessBuilder(haproxy.toString(), "-c", "-f", cfg.toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
    }
  }
}
