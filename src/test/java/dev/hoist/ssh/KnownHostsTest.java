package dev.hoist.ssh;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownHostsTest {
  private static PublicKey ed25519;
  private static PublicKey otherEd25519;
  private static PublicKey ecdsa;

  @TempDir Path dir;

  @BeforeAll
  static void keys() throws Exception {
    ed25519 = TestSshServer.ed25519().getPublic();
    otherEd25519 = TestSshServer.ed25519().getPublic();
    KeyPair pair = KeyUtils.generateKeyPair("ecdsa-sha2-nistp256", 256);
    ecdsa = pair.getPublic();
  }

  private KnownHosts file(String... lines) throws Exception {
    Path path = dir.resolve("known_hosts");
    Files.writeString(path, String.join("\n", lines) + "\n");
    return KnownHosts.read(path);
  }

  private static String line(String pattern, PublicKey key) {
    return pattern + " " + new HostKey(key).openSsh();
  }

  /**
   * A hashed host pattern as {@code ssh-keygen -H} writes it: HMAC-SHA1 of the name, keyed by a
   * salt.
   */
  private static String hashed(String name) throws Exception {
    byte[] salt = new byte[20];
    new Random(1).nextBytes(salt);
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(salt, "HmacSHA1"));
    byte[] hash = mac.doFinal(name.getBytes(UTF_8));
    return "|1|"
        + Base64.getEncoder().encodeToString(salt)
        + "|"
        + Base64.getEncoder().encodeToString(hash);
  }

  @Test
  void matchesPlainNamesAndListsOfThem() throws Exception {
    KnownHosts hosts = file("# comment", "", line("web1,10.0.0.11", ed25519));
    assertThat(hosts.check("10.0.0.11", 22, ed25519)).isEqualTo(new KnownHosts.Known(3));
    assertThat(hosts.check("web1", 22, ed25519)).isEqualTo(new KnownHosts.Known(3));
    assertThat(hosts.check("web2", 22, ed25519)).isEqualTo(new KnownHosts.Unknown(List.of()));
  }

  @Test
  void matchesHashedNames() throws Exception {
    KnownHosts hosts = file(line(hashed("web1"), ed25519), line(hashed("[web1]:2222"), ecdsa));
    assertThat(hosts.check("web1", 22, ed25519)).isEqualTo(new KnownHosts.Known(1));
    assertThat(hosts.check("web2", 22, ed25519)).isInstanceOf(KnownHosts.Unknown.class);
    assertThat(hosts.check("web1", 2222, ecdsa)).isEqualTo(new KnownHosts.Known(2));
  }

  @Test
  void aPortOtherThan22NeedsItsBracketedPattern() throws Exception {
    KnownHosts hosts = file(line("web1", ed25519), line("[web1]:2222", otherEd25519));
    assertThat(hosts.check("web1", 2222, otherEd25519)).isEqualTo(new KnownHosts.Known(2));
    assertThat(hosts.check("web1", 2222, ed25519)).isInstanceOf(KnownHosts.Changed.class);
    assertThat(hosts.check("web1", 2200, ed25519)).isInstanceOf(KnownHosts.Unknown.class);
  }

  @Test
  void anotherKeyOfTheSameTypeIsAChangeAndNamesItsLine() throws Exception {
    KnownHosts hosts = file(line("web9", ed25519), line("web1", otherEd25519));
    assertThat(hosts.check("web1", 22, ed25519)).isEqualTo(new KnownHosts.Changed(2, otherEd25519));
  }

  @Test
  void aKeyOfAnotherTypeIsUnknownNotChanged() throws Exception {
    KnownHosts hosts = file(line("web1", ecdsa));
    assertThat(hosts.check("web1", 22, ed25519))
        .isEqualTo(new KnownHosts.Unknown(List.of("ecdsa-sha2-nistp256")));
    assertThat(hosts.typesFor("web1", 22)).containsExactly("ecdsa-sha2-nistp256");
  }

  @Test
  void severalKeyTypesForOneHost() throws Exception {
    KnownHosts hosts = file(line("web1", ecdsa), line("web1", ed25519));
    assertThat(hosts.check("web1", 22, ed25519)).isEqualTo(new KnownHosts.Known(2));
    assertThat(hosts.check("web1", 22, ecdsa)).isEqualTo(new KnownHosts.Known(1));
  }

  @Test
  void theVeryKeyWinsOverAStaleLine() throws Exception {
    KnownHosts hosts = file(line("web1", otherEd25519), line("web1", ed25519));
    assertThat(hosts.check("web1", 22, ed25519)).isEqualTo(new KnownHosts.Known(2));
  }

  @Test
  void wildcardsAndNegations() throws Exception {
    KnownHosts hosts = file(line("*.example.com,!bad.example.com", ed25519));
    assertThat(hosts.check("web1.example.com", 22, ed25519)).isInstanceOf(KnownHosts.Known.class);
    assertThat(hosts.check("bad.example.com", 22, ed25519)).isInstanceOf(KnownHosts.Unknown.class);
  }

  @Test
  void revokedKeysAreRefused() throws Exception {
    KnownHosts hosts = file("@revoked " + line("*", ed25519), line("web1", ed25519));
    assertThat(hosts.check("web1", 22, ed25519)).isEqualTo(new KnownHosts.Revoked(1));
  }

  @Test
  void garbageLinesArePassedOverAndLinesKeepTheirNumbers() throws Exception {
    KnownHosts hosts =
        file("not a known hosts line", "web1 ssh-ed25519 !!!notbase64", line("web1", ed25519));
    assertThat(hosts.check("web1", 22, ed25519)).isEqualTo(new KnownHosts.Known(3));
  }

  @Test
  void aMissingFileKnowsNothing() throws Exception {
    KnownHosts hosts = KnownHosts.read(dir.resolve("absent"));
    assertThat(hosts.check("web1", 22, ed25519)).isInstanceOf(KnownHosts.Unknown.class);
  }

  @Test
  void appendKeepsAnUnterminatedLastLineIntact() throws Exception {
    Path path = dir.resolve("known_hosts");
    Files.writeString(path, line("web9", otherEd25519));
    KnownHosts.append(path, "web1", 2222, new HostKey(ed25519));
    assertThat(Files.readAllLines(path))
        .containsExactly(line("web9", otherEd25519), line("[web1]:2222", ed25519));
    assertThat(KnownHosts.read(path).check("web1", 2222, ed25519))
        .isEqualTo(new KnownHosts.Known(2));
  }
}
