package dev.hoist.stack;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real certificates for tests, made by openssl: a key and a self-signed certificate for names. */
public final class SelfSigned {
  /** The files made: the certificate, its key, and both in one PEM (certificate first). */
  public record Files(Path cert, Path key, Path both) {
    public TlsMaterial material() throws IOException {
      return new TlsMaterial(
          java.nio.file.Files.readAllBytes(cert), java.nio.file.Files.readAllBytes(key));
    }
  }

  private SelfSigned() {}

  /**
   * A certificate valid from now for {@code days}; {@code keyArgs}: openssl's -newkey argument and
   * options (default "rsa:2048"; e.g. "ec", "-pkeyopt", "ec_paramgen_curve:P-256").
   */
  public static Files make(Path dir, String stem, List<String> names, int days, String... keyArgs)
      throws IOException, InterruptedException {
    Path cert = dir.resolve(stem + ".crt");
    Path key = dir.resolve(stem + ".key");
    List<String> argv = new ArrayList<>(List.of("openssl", "req", "-x509", "-nodes", "-newkey"));
    argv.addAll(keyArgs.length == 0 ? List.of("rsa:2048") : List.of(keyArgs));
    argv.addAll(
        List.of(
            "-subj",
            "/CN=" + names.getFirst(),
            "-addext",
            "subjectAltName=" + String.join(",", names.stream().map(n -> "DNS:" + n).toList()),
            "-keyout",
            key.toString(),
            "-out",
            cert.toString()));
    argv.addAll(List.of("-days", String.valueOf(days)));
    run(argv);
    Path both = dir.resolve(stem + ".pem");
    java.nio.file.Files.writeString(
        both,
        java.nio.file.Files.readString(cert, UTF_8) + java.nio.file.Files.readString(key, UTF_8));
    return new Files(cert, key, both);
  }

  private static void run(List<String> argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", argv) + " failed:\n" + out);
    }
  }
}
