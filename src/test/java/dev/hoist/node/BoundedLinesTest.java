package dev.hoist.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BoundedLinesTest {
  private static List<String> read(byte[] bytes) {
    List<String> lines = new ArrayList<>();
    BoundedLines.read(new ByteArrayInputStream(bytes), lines::add);
    return lines;
  }

  @Test
  void linesAsTheyCameAndALastOneWithoutNewline() {
    assertThat(read("{\"event\":\"a\"}\n\nné\ntail".getBytes(StandardCharsets.UTF_8)))
        .containsExactly("{\"event\":\"a\"}", "", "né", "tail");
  }

  @Test
  void anEndlessLineIsCutAndTheNextLineStillComes() {
    byte[] big = new byte[BoundedLines.MAX * 3 + 2];
    java.util.Arrays.fill(big, (byte) 'x');
    big[big.length - 2] = '\n';
    big[big.length - 1] = 'y';
    List<String> lines = read(big);
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).startsWith("xxx").endsWith("[line cut at 65536 bytes]");
    assertThat(lines.get(0).length()).isLessThan(BoundedLines.MAX + 100);
    assertThat(lines.get(1)).isEqualTo("y");
  }
}
