package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
  private static final List<String> KEYS =
      List.of("path", "expect", "contains", "timeout", "interval", "deadline");

  @Test
  void distanceCountsEditsAndTranspositions() {
    assertThat(Suggestions.distance("timeout", "timeout")).isZero();
    assertThat(Suggestions.distance("timout", "timeout")).isEqualTo(1);
    assertThat(Suggestions.distance("tiemout", "timeout")).isEqualTo(1);
    assertThat(Suggestions.distance("", "abc")).isEqualTo(3);
    assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
  }

  @Test
  void suggestsTheClosestWithinTwoEdits() {
    assertThat(Suggestions.closest("timout", KEYS)).contains("timeout");
    assertThat(Suggestions.closest("expct", KEYS)).contains("expect");
    assertThat(Suggestions.closest("Path", KEYS)).contains("path");
  }

  @Test
  void suggestsByPrefixEitherWay() {
    assertThat(Suggestions.closest("dead", KEYS)).contains("deadline");
    assertThat(Suggestions.closest("contains_text", KEYS)).contains("contains");
  }

  @Test
  void suggestsNothingWhenNothingIsClose() {
    assertThat(Suggestions.closest("banana", KEYS)).isEmpty();
    assertThat(Suggestions.closest("", KEYS)).isEmpty();
  }

  @Test
  void ambiguousPrefixSuggestsNothing() {
    assertThat(Suggestions.closest("re", List.of("requirements", "release"))).isEmpty();
    assertThat(Suggestions.closest("req", List.of("requirements", "requests"))).isEmpty();
  }

  @Test
  void hintListsTheValidKeysWhenNothingIsClose() {
    assertThat(Suggestions.unknownKeyHint("timout", KEYS)).isEqualTo("did you mean 'timeout'?");
    assertThat(Suggestions.unknownKeyHint("banana", KEYS))
        .isEqualTo("valid keys here are: path, expect, contains, timeout, interval, deadline");
  }
}
