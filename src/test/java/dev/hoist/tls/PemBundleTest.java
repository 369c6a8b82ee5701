package dev.hoist.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hoist.project.TlsSpec;
import dev.hoist.stack.SelfSigned;
import dev.hoist.stack.TlsMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user's own certificate, checked with real openssl-made PEM files of every common form. */
class PemBundleTest {
  private static final List<String> NAMES = List.of("shop.example.com", "www.shop.example.com");

  @TempDir Path dir;

  private SelfSigned.Files make(String stem, List<String> names, String... key) throws Exception {
    return SelfSigned.make(dir, stem, names, 30, key);
  }

  private static TlsSpec.Files files(Path cert, Path key) {
    return new TlsSpec.Files(cert, Optional.ofNullable(key), Optional.empty());
  }

  private static String fail(TlsSpec.Files f, List<String> names, Instant now) {
    PemBundle.BadCertificate e =
        catchThrowableOfType(PemBundle.BadCertificate.class, () -> PemBundle.load(f, names, now));
    assertThat(e).as("expected a refusal").isNotNull();
    return e.getMessage();
  }

  private void openssl(String... args) throws Exception {
    List<String> argv = new java.util.ArrayList<>(List.of("openssl"));
    argv.addAll(List.of(args));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void aChainAndItsKeyInOneFileShipAsTheChainAndTheKeySeparately() throws Exception {
    SelfSigned.Files pem = make("site", NAMES);

    TlsMaterial m = PemBundle.load(files(pem.both(), null), NAMES, Instant.now());

    String chain = new String(m.chain(), StandardCharsets.US_ASCII);
    String key = new String(m.key(), StandardCharsets.US_ASCII);
    assertThat(chain).startsWith("-----BEGIN CERTIFICATE-----").doesNotContain("PRIVATE KEY");
    assertThat(key).startsWith("-----BEGIN PRIVATE KEY-----").doesNotContain("CERTIFICATE");
  }

  @Test
  void pkcs1RsaAndSec1EcKeysInTheirOwnFilesAreReadToo() throws Exception {
    SelfSigned.Files rsa = make("rsa", NAMES);
    Path traditional = dir.resolve("rsa1.key");
    openssl("rsa", "-in", rsa.key().toString(), "-traditional", "-out", traditional.toString());
    assertThat(Files.readString(traditional)).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(PemBundle.load(files(rsa.cert(), traditional), NAMES, Instant.now())).isNotNull();

    SelfSigned.Files ec = make("ec", NAMES, "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    Path sec1 = dir.resolve("ec1.key");
    openssl("ec", "-in", ec.key().toString(), "-out", sec1.toString());
    assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(PemBundle.load(files(ec.cert(), sec1), NAMES, Instant.now())).isNotNull();
  }

  @Test
  void aWildcardCoversOneLabel() throws Exception {
    SelfSigned.Files pem = make("wild", List.of("*.example.com"));

    assertThat(PemBundle.load(files(pem.both(), null), List.of("shop.example.com"), Instant.now()))
        .isNotNull();
    assertThat(fail(files(pem.both(), null), NAMES, Instant.now()))
        .contains("not for www.shop.example.com");
  }

  @Test
  void everyProblemIsRefusedNamingTheFile() throws Exception {
    SelfSigned.Files pem = make("site", NAMES);
    SelfSigned.Files other = make("other", NAMES);
    Instant now = Instant.now();

    assertThat(fail(files(pem.cert(), other.key()), NAMES, now))
        .contains(other.key().toString())
        .contains("does not belong to the certificate in " + pem.cert());
    assertThat(fail(files(pem.both(), null), NAMES, now.plus(Duration.ofDays(60))))
        .contains(pem.both().toString())
        .contains("expired on");
    assertThat(fail(files(pem.both(), null), NAMES, now.minus(Duration.ofDays(2))))
        .contains("not valid before");
    assertThat(fail(files(pem.both(), null), List.of("shop.example.com", "api.example.com"), now))
        .contains("is for shop.example.com, www.shop.example.com, not for api.example.com");
    assertThat(fail(files(pem.cert(), null), NAMES, now))
        .contains(pem.cert() + " holds no PEM private key");
    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "hello\n");
    assertThat(fail(files(junk, null), NAMES, now)).contains(junk + " holds no PEM certificate");
    Path encrypted = dir.resolve("enc.key");
    openssl(
        "pkcs8",
        "-topk8",
        "-in",
        pem.key().toString(),
        "-out",
        encrypted.toString(),
        "-passout",
        "pass:secret");
    assertThat(fail(files(pem.cert(), encrypted), NAMES, now))
        .contains("the private key is encrypted");
  }
}
