package dev.hoist.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Let's Encrypt's test CA, Debian's {@code pebble}, with {@code pebble-challtestsrv} as the DNS
 * server its validation authority asks: names resolve to 127.0.0.1 unless {@link #mapHost mapped}
 * elsewhere, and HTTP-01 is validated on {@link Ports#http}. Pebble's API certificate is made here
 * by a throw-away CA ({@link #caFile}, what a user passes as {@code tls.acme.ca}); certificates
 * pebble issues chain to {@link #issuingRoot}, which pebble makes anew at each start.
 *
 * <p>Both processes are stopped by their PID on {@link #close} ({@link #shared} at JVM exit).
 * Validation runs without pebble's random sleep, and every order is validated afresh (no reuse of
 * earlier authorizations: a remapped name is really checked again) with no injected bad nonces.
 */
final class Pebble implements AutoCloseable {
  /**
   * Where one pebble listens: ACME and management on 0.0.0.0 (lab nodes reach 10.213.77.1),
   * challtestsrv's DNS and management on 127.0.0.1; {@code http} is the port the CA connects to for
   * HTTP-01.
   */
  record Ports(int acme, int management, int dns, int dnsManagement, int http) {
    static final Ports SHARED = new Ports(14000, 15000, 8053, 8055, 80);
  }

  /** The addresses pebble's API certificate is valid for: this machine and the lab bridge. */
  private static final String API_NAMES = "DNS:localhost,IP:127.0.0.1,IP:10.213.77.1";

  private static Pebble shared;

  final Ports ports;
  private final Path dir;
  private final Process challtestsrv;
  private final Process pebble;
  private final HttpClient client;

  private Pebble(Ports ports, Path dir, Process challtestsrv, Process pebble, HttpClient client) {
    this.ports = ports;
    this.dir = dir;
    this.challtestsrv = challtestsrv;
    this.pebble = pebble;
    this.client = client;
  }

  /** The one pebble of this JVM on {@link Ports#SHARED}, started at the first call. */
  static synchronized Pebble shared() throws IOException, InterruptedException {
    if (shared == null) {
      Pebble started = start(Ports.SHARED, null);
      Runtime.getRuntime().addShutdownHook(new Thread(started::closeQuietly, "pebble-stop"));
      shared = started;
    }
    return shared;
  }

  /**
   * Starts a pebble of its own, which the caller closes; {@code validity} is the lifetime of the
   * certificates it issues (pebble's {@code certificateValidityPeriod}), or null for pebble's
   * default (about five years).
   */
  static Pebble start(Ports ports, Duration validity) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("hoist-pebble");
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=Hoist test ACME API CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem");
    run(
        dir,
        "openssl",
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "api.key",
        "-out",
        "api.csr");
    Files.writeString(dir.resolve("api.ext"), "subjectAltName=" + API_NAMES + "\n");
    run(
        dir,
        "openssl",
        "x509",
        "-req",
        "-in",
        "api.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "api.ext",
        "-out",
        "api.pem");
    Files.writeString(
        dir.resolve("pebble.json"),
        """
        {"pebble": {"listenAddress": "0.0.0.0:%d", "managementListenAddress": "0.0.0.0:%d",
         "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": 5001,
         "ocspResponderURL": "", "externalAccountBindingRequired": false%s}}
        """
            .formatted(
                ports.acme(),
                ports.management(),
                dir.resolve("api.pem"),
                dir.resolve("api.key"),
                ports.http(),
                validity == null
                    ? ""
                    : ", \"certificateValidityPeriod\": " + validity.toSeconds()));
    Process challtestsrv =
        new ProcessBuilder(
                "pebble-challtestsrv",
                "-defaultIPv4",
                "127.0.0.1",
                "-defaultIPv6",
                "",
                "-dns01",
                "127.0.0.1:" + ports.dns(),
                "-management",
                "127.0.0.1:" + ports.dnsManagement(),
                // Only its DNS is wanted: the challenge responders would take ports 5001-5003.
                "-http01",
                "",
                "-https01",
                "",
                "-tlsalpn01",
                "")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("challtestsrv.log").toFile())
            .start();
    ProcessBuilder builder =
        new ProcessBuilder(
                "pebble",
                "-config",
                dir.resolve("pebble.json").toString(),
                "-dnsserver",
                "127.0.0.1:" + ports.dns())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("pebble.log").toFile());
    builder.environment().put("PEBBLE_VA_NOSLEEP", "1");
    builder.environment().put("PEBBLE_AUTHZREUSE", "0");
    builder.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
    Process pebble;
    try {
      pebble = builder.start();
    } catch (IOException e) {
      challtestsrv.destroy();
      throw e;
    }
    Pebble p = new Pebble(ports, dir, challtestsrv, pebble, trusting(dir.resolve("ca.pem")));
    try {
      p.awaitPort(challtestsrv, "challtestsrv.log", ports.dnsManagement());
      p.awaitPort(pebble, "pebble.log", ports.acme());
      p.awaitPort(pebble, "pebble.log", ports.management());
    } catch (IOException | RuntimeException e) {
      p.closeQuietly();
      throw e;
    }
    return p;
  }

  /** The ACME directory as a client on {@code host} (localhost, 127.0.0.1, 10.213.77.1) sees it. */
  String directoryUrl(String host) {
    return "https://" + host + ":" + ports.acme() + "/dir";
  }

  /** The PEM file of the CA that signed pebble's API certificate. */
  Path caFile() {
    return dir.resolve("ca.pem");
  }

  /** The PEM of the root that issued certificates chain to (management {@code /roots/0}). */
  String issuingRoot() throws IOException, InterruptedException {
    return request("https://127.0.0.1:" + ports.management() + "/roots/0", null);
  }

  /** Makes challtestsrv answer A queries for {@code name} with {@code ipv4} only. */
  void mapHost(String name, String ipv4) throws IOException, InterruptedException {
    request(
        "http://127.0.0.1:" + ports.dnsManagement() + "/add-a",
        "{\"host\": \"%s\", \"addresses\": [\"%s\"]}".formatted(name, ipv4));
  }

  /** Makes challtestsrv answer SERVFAIL for {@code name} (a DNS failure), or stop doing so. */
  void servfail(String name, boolean on) throws IOException, InterruptedException {
    request(
        "http://127.0.0.1:" + ports.dnsManagement() + (on ? "/set-servfail" : "/clear-servfail"),
        "{\"host\": \"%s\"}".formatted(name));
  }

  /** Sends {@code name} back to the default answer, 127.0.0.1. */
  void unmapHost(String name) throws IOException, InterruptedException {
    request(
        "http://127.0.0.1:" + ports.dnsManagement() + "/clear-a",
        "{\"host\": \"%s\"}".formatted(name));
  }

  int httpPort() {
    return ports.http();
  }

  private String request(String url, String post) throws IOException, InterruptedException {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    if (post != null) {
      r.POST(HttpRequest.BodyPublishers.ofString(post));
    }
    HttpResponse<String> response = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(url + " answered " + response.statusCode() + ": " + response.body());
    }
    return response.body();
  }

  private void awaitPort(Process process, String log, int port)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plusSeconds(15);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException(
            log + ": exited " + process.exitValue() + ":\n" + Files.readString(dir.resolve(log)));
      }
      try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IOException(
        "nothing listens on " + port + " after 15 s:\n" + Files.readString(dir.resolve(log)));
  }

  private static HttpClient trusting(Path caPem) throws IOException {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry(
          "ca",
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(caPem))));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot trust " + caPem, e);
    }
  }

  private static void run(Path dir, String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", argv) + " failed:\n" + out);
    }
  }

  /** Stops pebble and challtestsrv (SIGTERM to their PIDs, SIGKILL after 5 s), removes files. */
  @Override
  public void close() throws InterruptedException {
    for (Process p : List.of(pebble, challtestsrv)) {
      p.destroy();
    }
    for (Process p : List.of(pebble, challtestsrv)) {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException e) {
      // A temp dir left behind is harmless.
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
