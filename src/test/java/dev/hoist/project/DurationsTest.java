package dev.hoist.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "500ms,PT0.5S",
    "5s,PT5S",
    "2m,PT2M",
    "1h,PT1H",
    "5,PT5S",
    "0.5,PT0.5S",
    "1.5s,PT1.5S",
    "90s,PT1M30S"
  })
  void parsesEveryUnit(String text, Duration expected) {
    assertThat(Durations.parse(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"fast", "", "5 s", "-5s", "5sec", "1d", "s", "1e3", ".5s"})
  void rejectsWhatIsNotADuration(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected a duration like 5s or 500ms, found '" + text + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0s", "0.0ms", "0h"})
  void rejectsZero(String text) {
    assertThatThrownBy(() -> Durations.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected a duration greater than 0, found '" + text + "'");
  }

  @Test
  void rejectsWhatDoesNotFitADuration() {
    assertThatThrownBy(() -> Durations.parse("99999999999h"))
        .hasMessageContaining("shorter than 290 years");
  }

  @Test
  void tinyPositiveValuesStayPositive() {
    assertThat(Durations.parse("0.0000001ms")).isEqualTo(Duration.ofNanos(1));
  }

  @ParameterizedTest
  @CsvSource({
    "500ms,500ms",
    "5s,5s",
    "120s,2m",
    "60m,1h",
    "1500ms,1500ms",
    "0.25ms,0.25ms",
    "90s,90s"
  })
  void formatsInTheLargestExactUnit(String text, String formatted) {
    assertThat(Durations.format(Durations.parse(text))).isEqualTo(formatted);
    assertThat(Durations.parse(formatted)).isEqualTo(Durations.parse(text));
  }
}
