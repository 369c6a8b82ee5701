package dev.hoist.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * curl, a real TLS client, to a name served on an address (no DNS: {@code --resolve}), trusting one
 * root: what a browser would see of a site and its certificate.
 */
record Curl(String address, Path root) {
  /** curl's exit code, and its output (what -w writes) and error. */
  Hoist.Result run(String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20"));
    for (int port : List.of(80, 443)) {
      for (String name : names(args)) {
        argv.addAll(List.of("--resolve", name + ":" + port + ":" + address));
      }
    }
    argv.addAll(List.of("--cacert", root.toString()));
    argv.addAll(List.of(args));
    return Hoist.capture(new ProcessBuilder(argv), "curl");
  }

  /** The status code, a space and the redirect target (or nothing) of one request. */
  String status(String url, String... extra) throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of(extra));
    args.addAll(List.of("-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", url));
    return run(args.toArray(String[]::new)).out().strip();
  }

  /**
   * Asserts the site answers the app over HTTPS (certificate trusted, HTTP/2 offered) and sends
   * plain HTTP there with a 301 that keeps the path and query.
   */
  void servesHttps(String domain) throws IOException, InterruptedException {
    Hoist.Result page = run("https://" + domain + "/");
    assertThat(page.exit()).as(page.err()).isZero();
    assertThat(page.out()).contains("Hello from hoist!");
    assertThat(
            run("--http2", "-o", "/dev/null", "-w", "%{http_version}", "https://" + domain + "/")
                .out())
        .isEqualTo("2");
    assertThat(status("http://" + domain + "/a?b=c")).isEqualTo("301 https://" + domain + "/a?b=c");
  }

  /** The host names of the URLs among {@code args}. */
  private static List<String> names(String... args) {
    List<String> out = new ArrayList<>();
    for (String a : args) {
      if (a.startsWith("http://") || a.startsWith("https://")) {
        String rest = a.substring(a.indexOf("://") + 3);
        String host = rest.split("[/:?]", 2)[0];
        if (!out.contains(host)) {
          out.add(host);
        }
      }
    }
    return out;
  }
}
