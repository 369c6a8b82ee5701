package dev.hoist.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The unified diff shown in plan output. */
class TextDiffTest {
  private static final String HEADER = "--- site.conf\n+++ site.conf (new)\n";

  @Test
  void identicalInputHasNoHunks() {
    String text = lines(1, 10);

    assertThat(TextDiff.unified(text, text, "site.conf")).isEqualTo(HEADER);
  }

  @Test
  void changedLineShowsAsRemovedAndAddedWithTwoLinesOfContext() {
    String diff =
        TextDiff.unified(lines(1, 10), lines(1, 10).replace("line 5\n", "LINE 5\n"), "site.conf");

    assertThat(diff).startsWith(HEADER + "@@\n line 3\n line 4\n").endsWith(" line 6\n line 7\n");
    assertThat(body(diff))
        .containsExactlyInAnyOrder(
            "@@", " line 3", " line 4", "-line 5", "+LINE 5", " line 6", " line 7");
  }

  @Test
  void changesFarApartMakeSeparateHunks() {
    String old = lines(1, 20);
    String neu = old.replace("line 3\n", "LINE 3\n").replace("line 15\n", "LINE 15\n");

    String diff = TextDiff.unified(old, neu, "site.conf");

    assertThat(body(diff))
        .containsExactlyInAnyOrder(
            "@@",
            " line 1",
            " line 2",
            "-line 3",
            "+LINE 3",
            " line 4",
            " line 5",
            "@@",
            " line 13",
            " line 14",
            "-line 15",
            "+LINE 15",
            " line 16",
            " line 17");
    assertThat(diff.indexOf(" line 5\n")).isLessThan(diff.lastIndexOf("@@"));
  }

  @Test
  void changesCloseTogetherShareOneHunk() {
    String old = lines(1, 12);
    String neu = old.replace("line 3\n", "LINE 3\n").replace("line 8\n", "LINE 8\n");

    String diff = TextDiff.unified(old, neu, "site.conf");

    assertThat(diff).containsOnlyOnce("@@");
    assertThat(diff).contains(" line 4\n line 5\n line 6\n line 7\n");
    assertThat(body(diff))
        .contains("-line 3", "+LINE 3", "-line 8", "+LINE 8")
        .doesNotContain(" line 11");
  }

  @Test
  void insertedAndDeletedLinesKeepTheirNeighboursAsContext() {
    String diff = TextDiff.unified("a\nb\nc\nd", "a\nb\nnew\nc", "site.conf");

    assertThat(diff).isEqualTo(HEADER + "@@\n a\n b\n+new\n c\n-d\n");
  }

  @Test
  void fromNothingEveryLineIsAdded() {
    String diff = TextDiff.unified("", "one\ntwo", "site.conf");

    assertThat(diff).isEqualTo(HEADER + "@@\n+one\n+two\n");
  }

  @Test
  void finalNewlineIsNotShownAsAnExtraLine() {
    String diff = TextDiff.unified("", "one\ntwo\n", "site.conf");

    assertThat(diff).isEqualTo(HEADER + "@@\n+one\n+two\n");
  }

  @Test
  void removedLineComesBeforeItsReplacement() {
    String diff = TextDiff.unified("a\nb\nc", "a\nB\nc", "site.conf");

    assertThat(diff).isEqualTo(HEADER + "@@\n a\n-b\n+B\n c\n");
  }

  @Test
  void hugeFilesAreNotDiffed() {
    assertThat(TextDiff.unified(lines(1, 2500), "short\n", "site.conf"))
        .isEqualTo("(2500 -> 1 lines; too long to diff)");
  }

  private static String lines(int from, int to) {
    return IntStream.rangeClosed(from, to)
        .mapToObj(i -> "line " + i + "\n")
        .collect(Collectors.joining());
  }

  /** The lines after the two header lines. */
  private static List<String> body(String diff) {
    List<String> all = diff.lines().toList();
    return all.subList(2, all.size());
  }
}
