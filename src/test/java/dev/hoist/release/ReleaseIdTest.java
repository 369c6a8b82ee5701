package dev.hoist.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Release ids: never the same twice, sorted by time as plain names. */
class ReleaseIdTest {
  private static final String HASH = "3f2a9c1d" + "0".repeat(56);

  @Test
  void twoDeploysOfTheSameCodeInTheSameMillisecondGetDifferentIds() {
    ZonedDateTime now = ZonedDateTime.of(2026, 12, 2, 13, 5, 1, 42_000_000, ZoneOffset.UTC);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      ids.add(ReleaseBundle.newId(now, HASH));
    }

    assertThat(ids).hasSizeGreaterThan(45);
    assertThat(ids).allMatch(id -> id.matches("20261202T130501\\.042Z-3f2a9c1-[0-9a-f]{4}"));
  }

  @Test
  void idsSortByTimeAsNamesIncludingOlderIdsWithoutMillis() {
    ZonedDateTime t = ZonedDateTime.of(2026, 12, 2, 13, 5, 1, 0, ZoneOffset.UTC);
    String first = ReleaseBundle.newId(t, "f" + HASH);
    String later = ReleaseBundle.newId(t.plusNanos(1_000_000), "0" + HASH);
    String older = "20261202T130500Z-fffffff";

    assertThat(older).isLessThan(first);
    assertThat(first).isLessThan(later);
  }
}
