package dev.hoist.stack;

import static dev.hoist.stack.StackBuilderTest.content;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.project.Spec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web node's nginx between the client and the app: which X-Forwarded-* it passes on, whom it
 * trusts for them, and whom it answers.
 */
class EdgeStackTest {
  private static final Edge BEHIND = new Edge(List.of("10.0.0.5"), false, Optional.empty());
  private static final Edge ONLY = new Edge(List.of("10.0.0.5", "fd00::5"), true, Optional.empty());

  @TempDir Path dir;

  private static String site(Spec spec, Edge edge) {
    return content(
        new StackBuilder(new Templates(List.of()), Supervisor.RUNIT)
            .build(spec, edge, false)
            .catalog(),
        "file:" + new AppLayout(spec.app()).nginxSite());
  }

  @Test
  void aNodeClientsReachDirectlyPassesOnItsOwnSchemeAndThePeersAddressOnly() {
    String site = site(TestSpec.hello().build(), Edge.direct(Optional.empty()));

    assertThat(site)
        .contains("proxy_set_header X-Forwarded-For $remote_addr;")
        .contains("proxy_set_header X-Forwarded-Proto $scheme;")
        .contains("proxy_set_header X-Real-IP $remote_addr;")
        .contains("proxy_set_header Forwarded \"\";")
        .contains("proxy_set_header X-Forwarded-Host \"\";")
        .contains("proxy_set_header X-Forwarded-Ssl \"\";")
        .contains("proxy_set_header X-Forwarded-Protocol \"\";")
        .doesNotContain("$proxy_add_x_forwarded_for")
        .doesNotContain("set_real_ip_from")
        .doesNotContain("geo ")
        .doesNotContain("403");
  }

  @Test
  void behindABalancerOnlyTheBalancersHeadersAreTrusted() {
    String site = site(TestSpec.hello().build(), BEHIND);

    assertThat(site)
        .contains(
            """
            geo $realip_remote_addr $hoist_hello_peer {
                default other;
                127.0.0.0/8 local;
                ::1 local;
                10.0.0.5 balancer;
            }
            """)
        .contains(
            """
            map "$hoist_hello_peer:$http_x_forwarded_proto" $hoist_hello_proto {
                default $scheme;
                "balancer:https" https;
                "balancer:http" http;
            }
            """)
        .contains("    set_real_ip_from 10.0.0.5;\n    real_ip_header X-Forwarded-For;\n")
        .contains("proxy_set_header X-Forwarded-For $remote_addr;")
        .contains("proxy_set_header X-Forwarded-Proto $hoist_hello_proto;")
        .doesNotContain("real_ip_recursive")
        .doesNotContain("return 403");
  }

  @Test
  void namesAtHttpLevelArePerAppSoAppsOnOneNodeDoNotCollide() {
    String site = site(TestSpec.hello().app("my-shop").build(), BEHIND);

    assertThat(site)
        .contains("geo $realip_remote_addr $hoist_my_shop_peer {")
        .contains("map \"$hoist_my_shop_peer:$http_x_forwarded_proto\" $hoist_my_shop_proto {")
        .contains("proxy_set_header X-Forwarded-Proto $hoist_my_shop_proto;")
        .doesNotContain("$hoist_hello_");
  }

  @Test
  void balancerOnlyRefusesEveryoneButTheBalancerAndThisNodeOnEveryServer() {
    String site =
        site(
            TestSpec.hello().alias("www.hello.example.com").statics("/static", "static").build(),
            ONLY);

    String refuse = "    if ($hoist_hello_peer = other) {\n        return 403;\n    }\n";
    // The alias's redirect and the app's server (statics included) both refuse.
    assertThat(site.split(java.util.regex.Pattern.quote(refuse), -1)).hasSize(3);
    assertThat(site)
        .contains("    fd00::5 balancer;\n")
        .contains("    set_real_ip_from 10.0.0.5;\n    set_real_ip_from fd00::5;\n")
        .contains("return 301 $hoist_hello_proto://hello.example.com$request_uri;");
    // The refusal comes before any location, so it covers static files too.
    assertThat(site.indexOf(refuse, site.indexOf("server_name hello.example.com;")))
        .isLessThan(site.indexOf("location /static/"));
  }

  @Test
  void balancerOnlyNeedsABalancer() {
    assertThatThrownBy(() -> new Edge(List.of(), true, Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nginxAcceptsEveryVariantWhenItIsInstalled() throws Exception {
    Path nginx = Path.of("/usr/sbin/nginx");
    Assumptions.assumeTrue(Files.isExecutable(nginx), "nginx is not installed here");
    Spec plain = TestSpec.hello().alias("www.hello.example.com").statics("/s", "s").build();
    Spec other = TestSpec.hello().app("my-shop").domain("shop.example.com").build();
    // Two apps behind the same balancer in one http block: their geo and map names must differ.
    List<String> configs =
        List.of(
            site(plain, Edge.direct(Optional.empty())),
            site(plain, BEHIND) + site(other, BEHIND),
            site(plain, ONLY) + site(other, ONLY));
    for (String config : configs) {
      String site = config.replace("/var/log/nginx/", dir + "/");
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
