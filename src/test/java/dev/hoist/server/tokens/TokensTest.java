package dev.hoist.server.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokensTest {
  private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
  private final SecureRandom random = new SecureRandom();
  private final NewToken reader = Tokens.create("dash", Scope.READ, NOW, random);
  private final NewToken deployer = Tokens.create("ci", Scope.DEPLOY, NOW, random);
  private final List<ApiToken> known = List.of(reader.stored(), deployer.stored());

  private Authorization authorize(String header, Scope needed) {
    return Tokens.authorize(Optional.ofNullable(header), needed, known);
  }

  @Test
  void aTokenIs256RandomBitsAndOnlyItsHashIsKept() {
    assertThat(deployer.secret()).startsWith("hoist_").hasSize(6 + 43);
    assertThat(deployer.stored().sha256())
        .hasSize(64)
        .isEqualTo(Tokens.sha256(deployer.secret()))
        .doesNotContain(deployer.secret().substring(6));
    assertThat(deployer.toString()).doesNotContain(deployer.secret());
    assertThat(Tokens.create("ci", Scope.DEPLOY, NOW, random).secret())
        .isNotEqualTo(deployer.secret());
  }

  @Test
  void readTokensReadAndDeployTokensDoBoth() {
    assertThat(authorize("Bearer " + reader.secret(), Scope.READ))
        .isEqualTo(new Authorization.Allowed(reader.stored()));
    assertThat(authorize("Bearer " + reader.secret(), Scope.DEPLOY))
        .isEqualTo(new Authorization.Forbidden(reader.stored(), Scope.DEPLOY));
    assertThat(authorize("Bearer " + deployer.secret(), Scope.DEPLOY))
        .isEqualTo(new Authorization.Allowed(deployer.stored()));
    assertThat(authorize("Bearer " + deployer.secret(), Scope.READ))
        .isEqualTo(new Authorization.Allowed(deployer.stored()));
  }

  @Test
  void missingMalformedAndUnknownTokensAreUnauthenticated() {
    assertThat(authorize(null, Scope.READ)).isInstanceOf(Authorization.Unauthenticated.class);
    assertThat(authorize(reader.secret(), Scope.READ))
        .isInstanceOf(Authorization.Unauthenticated.class);
    assertThat(authorize("Basic " + reader.secret(), Scope.READ))
        .isInstanceOf(Authorization.Unauthenticated.class);
    String other = Tokens.create("x", Scope.DEPLOY, NOW, random).secret();
    assertThat(authorize("Bearer " + other, Scope.READ))
        .isEqualTo(new Authorization.Unauthenticated("the bearer token is not known"));
    // The stored hash itself is not a token.
    assertThat(authorize("Bearer " + deployer.stored().sha256(), Scope.READ))
        .isInstanceOf(Authorization.Unauthenticated.class);
    String oneOff =
        deployer.secret().substring(0, 48) + (deployer.secret().endsWith("A") ? "B" : "A");
    assertThat(authorize("Bearer " + oneOff, Scope.READ))
        .isInstanceOf(Authorization.Unauthenticated.class);
  }

  @Test
  void namesAreChecked() {
    assertThatThrownBy(() -> Tokens.create("CI token", Scope.READ, NOW, random))
        .hasMessageContaining("found 'CI token'");
    assertThat(Scope.parse("deploy")).contains(Scope.DEPLOY);
    assertThat(Scope.parse("admin")).isEmpty();
  }
}
