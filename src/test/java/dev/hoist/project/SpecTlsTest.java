package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tls} key: HTTPS by default for public names, and every way to say otherwise. */
class SpecTlsTest {
  @TempDir Path dir;
  TestProject project;

  @BeforeEach
  void setUp() {
    project = new TestProject(dir);
  }

  @Test
  void aPublicDomainGetsLetsEncryptForItAndItsPublicAliasesWithoutAKey() throws Exception {
    TlsSpec tls =
        project
            .loadWith("domain: shop.example.com\naliases: [www.shop.example.com, shop.test]\n")
            .tls();

    assertThat(tls)
        .isEqualTo(
            new TlsSpec.Acme(
                java.util.List.of("shop.example.com", "www.shop.example.com"),
                Optional.empty(),
                TlsSpec.LETS_ENCRYPT,
                Optional.empty(),
                Optional.empty()));
  }

  @Test
  void localNamesAndAddressesStayOnHttpByDefaultSayingWhy() throws Exception {
    assertThat(project.loadWith("domain: hello.test\n").tls())
        .isEqualTo(
            new TlsSpec.Off(
                "hello.test is under .test, which no public CA certifies (HTTP only; set tls: to change that)"));
    for (String domain :
        java.util.List.of("a.localhost", "box.local", "api.internal", "_", "intranet")) {
      assertThat(project.loadWith("domain: " + domain + "\n").tls().on()).as(domain).isFalse();
    }
    // No domain: <app>.localhost.
    assertThat(project.loadWith("").tls().on()).isFalse();
  }

  @Test
  void falseTurnsHttpsOffAndTrueOnlyWorksForPublicNames() throws Exception {
    assertThat(project.loadWith("domain: shop.example.com\ntls: false\n").tls())
        .isInstanceOf(TlsSpec.Off.class);
    assertThat(project.loadWith("domain: shop.example.com\ntls: true\n").tls())
        .isInstanceOf(TlsSpec.Acme.class);

    SpecProblem p = project.problemWith("domain: hello.test\ntls: true\n");
    assertThat(p.key()).isEqualTo("tls");
    assertThat(p.line()).isEqualTo(4);
    assertThat(p.message()).contains("hello.test is under .test");
    assertThat(p.hint().orElseThrow()).contains("acme.directory").contains("tls: false");
  }

  @Test
  void acmeTakesEmailAPrivateDirectoryItsCaAndHsts() throws Exception {
    project.file("certs/ca.pem", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    TlsSpec tls =
        project
            .loadWith(
                "domain: hello.test\ntls:\n  hsts: 1y\n  acme:\n    email: ops@example.com\n"
                    + "    directory: https://10.213.77.1:14000/dir\n    ca: certs/ca.pem\n")
            .tls();

    TlsSpec.Acme acme = (TlsSpec.Acme) tls;
    assertThat(acme.names()).containsExactly("hello.test");
    assertThat(acme.email()).contains("ops@example.com");
    assertThat(acme.directory()).isEqualTo("https://10.213.77.1:14000/dir");
    assertThat(acme.ca()).contains(dir.resolve("certs/ca.pem").toAbsolutePath().normalize());
    assertThat(acme.hsts()).contains(Duration.ofDays(365));
  }

  @Test
  void stagingChoosesLetsEncryptsStagingDirectory() throws Exception {
    TlsSpec tls =
        project.loadWith("domain: shop.example.com\ntls: {acme: {staging: true}}\n").tls();

    assertThat(((TlsSpec.Acme) tls).directory()).isEqualTo(TlsSpec.LETS_ENCRYPT_STAGING);
  }

  @Test
  void certAndKeyAreFilesOnThisMachine() throws Exception {
    project.file("certs/site.pem", "x").file("certs/site.key", "y");
    TlsSpec tls =
        project
            .loadWith(
                "domain: hello.test\ntls: {cert: certs/site.pem, key: certs/site.key, hsts: 180d}\n")
            .tls();

    assertThat(tls)
        .isEqualTo(
            new TlsSpec.Files(
                dir.resolve("certs/site.pem").toAbsolutePath().normalize(),
                Optional.of(dir.resolve("certs/site.key").toAbsolutePath().normalize()),
                Optional.of(Duration.ofDays(180))));
  }

  @Test
  void badInputIsNamedWithItsPlace() throws Exception {
    SpecProblem missing = project.problemWith("tls: {cert: certs/nope.pem}\n");
    assertThat(missing.key()).isEqualTo("tls.cert");
    assertThat(missing.line()).isEqualTo(3);
    assertThat(missing.column()).isEqualTo(13);
    assertThat(missing.message()).contains("no readable file at").contains("nope.pem");

    project.file("site.pem", "x");
    assertThat(project.problemWith("tls: {cert: site.pem, acme: {email: a@b.co}}\n").message())
        .contains("both cert and acme");
    assertThat(
            project.problemWith("domain: a.example.com\ntls: {acme: {email: nobody}}\n").message())
        .contains("expected an email address");
    assertThat(
            project
                .problemWith("domain: a.example.com\ntls: {acme: {directory: http://ca/dir}}\n")
                .message())
        .contains("https:// URL");
    assertThat(project.problemWith("domain: a.example.com\ntls: {hsts: forever}\n").message())
        .contains("max-age like 1y");
    assertThat(
            project
                .problemWith("domain: a.example.com\ntls: {acme: {emial: a@b.co}}\n")
                .hint()
                .orElseThrow())
        .contains("email");
    assertThat(
            project
                .problemWith("domain: 10.0.0.1\ntls: {acme: {directory: https://ca/dir}}\n")
                .message())
        .contains("10.0.0.1 is an IP address");
    assertThat(project.problemWith("tls: {key: site.pem}\n").message())
        .contains("a key without a certificate");
  }
}
