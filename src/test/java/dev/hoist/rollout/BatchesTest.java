package dev.hoist.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {
  private static final List<String> WEBS = List.of("web1", "web2", "web3", "web4", "web5");

  @Test
  void splitsInInventoryOrderWithASmallerLastBatch() {
    assertThat(Batches.of(WEBS, 2, 0))
        .containsExactly(List.of("web1", "web2"), List.of("web3", "web4"), List.of("web5"));
  }

  @Test
  void oneAtATime() {
    assertThat(Batches.of(WEBS.subList(0, 3), 1, 0))
        .containsExactly(List.of("web1"), List.of("web2"), List.of("web3"));
  }

  @Test
  void aCanaryIsItsFirstNodesInBatchesNoBiggerThanTheBatchSize() {
    assertThat(Batches.of(WEBS, 2, 1)).containsExactly(List.of("web1"));
    assertThat(Batches.of(WEBS, 2, 3)).containsExactly(List.of("web1", "web2"), List.of("web3"));
    assertThat(Batches.of(WEBS.subList(0, 3), 1, 5))
        .containsExactly(List.of("web1"), List.of("web2"), List.of("web3"));
    assertThat(Batches.of(List.of("web1"), 1, 2)).containsExactly(List.of("web1"));
  }

  @Test
  void nothingToSwitchMeansNoBatch() {
    assertThat(Batches.of(List.of(), 1, 0)).isEmpty();
    assertThat(Batches.of(List.of(), 1, 1)).isEmpty();
  }

  @Test
  void aBatchSizeBelowOneIsABug() {
    assertThatThrownBy(() -> Batches.of(WEBS, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
