package dev.hoist.stack;

import static dev.hoist.stack.StackBuilderTest.content;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hoist.engine.Catalog;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.Spec;
import dev.hoist.project.TlsSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS on a node that ends TLS itself: nginx's config and the resources around it. */
class TlsStackTest {
  private static final String SITE = "file:/etc/nginx/sites-enabled/hoist-hello.conf";
  private static final TlsSpec ACME =
      new TlsSpec.Acme(
          List.of("hello.example.com", "www.hello.example.com"),
          Optional.of("ops@example.com"),
          "https://10.213.77.1:14000/dir",
          Optional.empty(),
          Optional.empty());

  @TempDir Path dir;

  private static Stack build(Spec spec, Edge edge, boolean certOnNode, Supervisor supervisor) {
    return new StackBuilder(new Templates(List.of()), supervisor).build(spec, edge, certOnNode);
  }

  private static Spec acme() {
    return TestSpec.hello().alias("www.hello.example.com").tls(ACME).build();
  }

  @Test
  void beforeItsCertificateAnAcmeSiteServesHttpAndTheChallengeFromARootOwnedWebroot() {
    Catalog c = build(acme(), Edge.direct(Optional.empty()), false, Supervisor.RUNIT).catalog();

    assertThat(content(c, SITE))
        .contains(
            "location ^~ /.well-known/acme-challenge/ {\n        root /var/lib/hoist/acme/hello;")
        .contains("proxy_pass http://hoist_hello;")
        .doesNotContain("443");
    assertThat(c.contains("package:certbot")).isTrue();
    assertThat(c.contains("dir:/var/lib/hoist/acme/hello")).isTrue();
    assertThat(content(c, "file:/etc/hoist/tls/hello/acme.json"))
        .contains("\"names\" : [ \"hello.example.com\", \"www.hello.example.com\" ]")
        .contains("\"email\" : \"ops@example.com\"")
        .contains("\"directory\" : \"https://10.213.77.1:14000/dir\"")
        .contains("\"webroot\" : \"/var/lib/hoist/acme/hello\"")
        .contains("[ \"sv\", \"hup\", \"/etc/service/nginx\" ]")
        .contains("\"renew_before_days\" : 30");
    assertThat(content(c, "file:/etc/sv/hoist-tls-hello/run"))
        .contains("/bin/sleep 3600")
        .contains(
            "exec /usr/bin/python3 -I /usr/local/lib/hoist/hoist-acme ensure /etc/hoist/tls/hello --quiet");
    assertThat(content(c, "file:/usr/local/lib/hoist/hoist-acme")).startsWith("#!/usr/bin/python3");
  }

  @Test
  void withItsCertificateTheSiteServesHttpsWithHttp2AndRedirectsEverythingButTheChallenge() {
    Catalog c = build(acme(), Edge.direct(Optional.empty()), true, Supervisor.SYSTEMD).catalog();

    String site = content(c, SITE);
    assertThat(site)
        .contains("listen 443 ssl http2;")
        .contains("ssl_certificate /etc/hoist/tls/hello/cert.pem;")
        .contains("ssl_certificate_key /etc/hoist/tls/hello/key.pem;")
        .contains("ssl_protocols TLSv1.2 TLSv1.3;")
        .contains("location / {\n        return 301 https://hello.example.com$request_uri;")
        .contains("location ^~ /.well-known/acme-challenge/")
        .doesNotContain("Strict-Transport-Security");
    assertThat(content(c, "file:/etc/hoist/tls/hello/acme.json"))
        .contains("[ \"systemctl\", \"reload\", \"nginx\" ]");
    assertThat(content(c, "file:/etc/systemd/system/hoist-tls-hello.timer"))
        .contains("OnCalendar=hourly");
    assertThat(c.contains("service:hoist-tls-hello.timer")).isTrue();
  }

  @Test
  void hstsIsOptInAndAlsoOnStaticFiles() {
    Spec spec =
        TestSpec.hello()
            .statics("/static", "static")
            .tls(
                new TlsSpec.Acme(
                    List.of("hello.example.com"),
                    Optional.empty(),
                    TlsSpec.LETS_ENCRYPT,
                    Optional.empty(),
                    Optional.of(Duration.ofDays(365))))
            .build();

    String site =
        content(build(spec, Edge.direct(Optional.empty()), true, Supervisor.RUNIT).catalog(), SITE);

    // add_header in a location replaces the server's, so the static location repeats it.
    assertThat(site.split("Strict-Transport-Security \"max-age=31536000\" always;", -1)).hasSize(3);
  }

  @Test
  void theUsersOwnCertificateShipsWithTheKeyHiddenFromPlans() throws Exception {
    SelfSigned.Files pem = SelfSigned.make(dir, "site", List.of("hello.example.com"), 30);
    Spec spec = TestSpec.hello().tlsCert(pem.both().toString()).build();

    Catalog c =
        build(spec, Edge.direct(Optional.of(pem.material())), false, Supervisor.RUNIT).catalog();

    assertThat(content(c, SITE)).contains("listen 443 ssl http2;").doesNotContain("acme");
    assertThat(c.contains("package:certbot")).isFalse();
    assertThat(
            ((dev.hoist.engine.FileResource) c.get("file:/etc/hoist/tls/hello/key.pem").resource())
                .secret())
        .isTrue();
    assertThat(
            ((dev.hoist.engine.FileResource) c.get("file:/etc/hoist/tls/hello/key.pem").resource())
                .attributes()
                .mode())
        .isEqualTo("0600");
    assertThat(c.get("dir:/etc/hoist/tls/hello").resource())
        .isEqualTo(
            new dev.hoist.engine.DirectoryResource(
                "/etc/hoist/tls/hello", dev.hoist.engine.Attributes.of("root", "root", "0700")));
  }

  @Test
  void commandsThatDoNotDeployBuildTheStackWithoutReadingTheUsersCertificate() {
    Spec spec = TestSpec.hello().tlsCert("/nonexistent/site.pem").build();

    Catalog c = build(spec, Edge.direct(Optional.empty()), false, Supervisor.RUNIT).catalog();

    assertThat(content(c, SITE)).contains("listen 443 ssl http2;");
    assertThat(c.contains("file:/etc/hoist/tls/hello/key.pem")).isFalse();
  }

  @Test
  void behindABalancerTheWebNodeServesHttpOnlyAndNeedsNoCertificate() {
    Catalog c =
        build(
                acme(),
                new Edge(List.of("10.0.0.5"), false, Optional.empty()),
                false,
                Supervisor.RUNIT)
            .catalog();

    assertThat(content(c, SITE)).doesNotContain("443").doesNotContain("acme-challenge");
    assertThat(c.contains("package:certbot")).isFalse();
    assertThat(c.contains("dir:/etc/hoist/tls/hello")).isFalse();
  }

  @Test
  void nginxAcceptsEveryVariantWhenItIsInstalled() throws Exception {
    Path nginx = Path.of("/usr/sbin/nginx");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isExecutable(nginx), "nginx is not installed here");
    SelfSigned.Files pem =
        SelfSigned.make(dir, "site", List.of("hello.example.com", "www.hello.example.com"), 30);
    Spec own =
        TestSpec.hello()
            .alias("www.hello.example.com")
            .statics("/static", "static")
            .tlsCert(pem.both().toString())
            .build();
    List<Stack> variants =
        List.of(
            build(acme(), Edge.direct(Optional.empty()), false, Supervisor.RUNIT),
            build(acme(), Edge.direct(Optional.empty()), true, Supervisor.RUNIT),
            build(own, Edge.direct(Optional.of(pem.material())), false, Supervisor.RUNIT),
            build(
                acme(),
                new Edge(List.of("10.0.0.5"), false, Optional.empty()),
                false,
                Supervisor.RUNIT));
    for (Stack stack : variants) {
      String site =
          content(stack.catalog(), SITE)
              .replace("/etc/hoist/tls/hello/cert.pem", pem.cert().toString())
              .replace("/etc/hoist/tls/hello/key.pem", pem.key().toString())
              .replace("/var/log/nginx/", dir + "/");
      Files.writeString(dir.resolve("site.conf"), site);
      Files.writeString(
          dir.resolve("nginx.conf"),
          "pid "
              + dir
              + "/nginx.pid;\nerror_log "
              + dir
              + "/error.log;\nevents {}\nhttp {\n  include "
              + dir
              + "/site.conf;\n}\n");
      Process p =
          new ProcessBuilder(
                  nginx.toString(),
                  "-t",
                  "-q",
                  "-p",
                  dir.toString(),
                  "-c",
                  dir.resolve("nginx.conf").toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), UTF_8);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out + "\n" + site).isZero();
    }
  }
}
