package dev.hoist.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.stack.SelfSigned;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the node's TLS probe says: when a deploy must get a certificate, and the backoff. */
class CertStatusTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NAMES = List.of("shop.example.com", "www.shop.example.com");

  @TempDir Path dir;

  private ObjectNode probe(int days, List<String> names) throws Exception {
    SelfSigned.Files pem = SelfSigned.make(dir, "c" + days, names, days);
    ObjectNode p = JSON.createObjectNode();
    p.put("cert", Files.readString(pem.cert()));
    p.putNull("state");
    return p;
  }

  @Test
  void aCoveringCertificateWithMoreThan30DaysLeftNeedsNothing() throws Exception {
    CertStatus s = CertStatus.from(probe(90, NAMES));

    assertThat(s.needed(NAMES, Instant.now())).isEmpty();
    assertThat(s.cert().orElseThrow().names()).containsExactlyElementsOf(NAMES);
    assertThat(s.cert().orElseThrow().daysLeft(Instant.now())).isBetween(89L, 90L);
    assertThat(s.cert().orElseThrow().issuer()).isEqualTo("shop.example.com");
  }

  @Test
  void noCertificateANewNameOrExpiryWithin30DaysNeedOne() throws Exception {
    ObjectNode none = JSON.createObjectNode();
    none.putNull("cert");
    assertThat(CertStatus.from(none).needed(NAMES, Instant.now())).contains("no certificate yet");
    assertThat(CertStatus.from(probe(90, List.of("shop.example.com"))).needed(NAMES, Instant.now()))
        .get()
        .asString()
        .contains("not every name");
    assertThat(CertStatus.from(probe(29, NAMES)).needed(NAMES, Instant.now()))
        .get()
        .asString()
        .contains("expires in 28 days");
    assertThat(
            CertStatus.from(probe(90, NAMES))
                .needed(NAMES, Instant.now().plus(Duration.ofDays(61))))
        .isPresent();
  }

  @Test
  void aFailedAttemptBacksOffUntilItsNextAttempt() throws Exception {
    ObjectNode p = JSON.createObjectNode();
    p.putNull("cert");
    ObjectNode state = p.putObject("state");
    state.put("last_attempt", 1_000_000L);
    state.put("ok", false);
    state.put("message", "issuing failed: connection refused");
    state.put("failures", 2);
    state.put("next_attempt", 1_000_600L);

    CertStatus s = CertStatus.from(p);

    assertThat(s.lastAttempt().orElseThrow().message()).contains("connection refused");
    assertThat(s.lastAttempt().orElseThrow().failures()).isEqualTo(2);
    assertThat(s.backoffUntil(Instant.ofEpochSecond(1_000_100L)))
        .contains(Instant.ofEpochSecond(1_000_600L));
    assertThat(s.backoffUntil(Instant.ofEpochSecond(1_000_600L))).isEmpty();
    state.put("ok", true);
    assertThat(CertStatus.from(p).backoffUntil(Instant.ofEpochSecond(1_000_100L))).isEmpty();
  }

  @Test
  void theRunnersAnswerIsReadAndAMissingAnswerIsAnError() {
    AcmeRunner.Outcome ok =
        AcmeRunner.parse(
            "{\"action\": \"issued\", \"message\": \"certificate issued\", \"names\": [\"a.example.com\"],"
                + " \"not_after\": 1800000000, \"next_attempt\": null}\n",
            0,
            "");
    assertThat(ok.gotOne()).isTrue();
    assertThat(ok.notAfter()).contains(Instant.ofEpochSecond(1_800_000_000L));
    assertThat(ok.names()).containsExactly("a.example.com");

    AcmeRunner.Outcome broken = AcmeRunner.parse("", 127, "python3: can't open file\n");
    assertThat(broken.failed()).isTrue();
    assertThat(broken.message()).contains("exit 127").contains("can't open file");
  }
}
