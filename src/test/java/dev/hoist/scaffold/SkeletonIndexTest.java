package dev.hoist.scaffold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class SkeletonIndexTest {
  @Test
  void theIndexListsEveryFileOfEverySkeleton() throws IOException, URISyntaxException {
    URL index = getClass().getResource("/dev/hoist/skeletons/index.txt");
    assertThat(index).isNotNull();
    // Only the build's classes directory can be listed; from a jar this test has nothing to
    // compare.
    assumeTrue("file".equals(index.getProtocol()));
    Path root = Path.of(index.toURI()).getParent();

    List<String> listed =
        Files.readAllLines(root.resolve("index.txt")).stream()
            .filter(line -> !line.isBlank() && !line.startsWith("#"))
            .toList();
    List<String> present;
    try (Stream<Path> walk = Files.walk(root)) {
      present =
          walk.filter(Files::isRegularFile)
              .map(p -> root.relativize(p).toString().replace('\\', '/'))
              .filter(p -> !p.equals("index.txt"))
              .toList();
    }

    assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(present);
  }
}
