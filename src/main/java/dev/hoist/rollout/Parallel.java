package dev.hoist.rollout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs one call per node at once, a virtual thread each, and collects each one's value or error.
 */
final class Parallel {
  private Parallel() {}

  /** The work on one node. */
  @FunctionalInterface
  interface Call<K, V> {
    V run(K key) throws Exception;
  }

  /** A call's value, or the exception it threw. */
  record Outcome<V>(Optional<V> value, Optional<Exception> error) {}

  /** Every key's outcome, in the order of {@code keys}. */
  static <K, V> Map<K, Outcome<V>> run(List<K> keys, String what, Call<K, V> call)
      throws InterruptedException {
    Map<K, Outcome<V>> done = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    for (K key : keys) {
      threads.add(
          Thread.ofVirtual()
              .name(what + "-" + key)
              .start(
                  () -> {
                    try {
                      done.put(
                          key, new Outcome<>(Optional.ofNullable(call.run(key)), Optional.empty()));
                    } catch (Exception e) {
                      done.put(key, new Outcome<>(Optional.empty(), Optional.of(e)));
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    Map<K, Outcome<V>> ordered = new LinkedHashMap<>();
    keys.forEach(k -> ordered.put(k, done.get(k)));
    return ordered;
  }
}
