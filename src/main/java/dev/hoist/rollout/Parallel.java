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
    // Platform threads, one per node: virtual threads that wait for a class another one is loading
    // pin their carrier (a native frame), and with two carriers on a 2-core machine a connect to
    // three nodes deadlocked in MINA's class loading (seen once, in ServicesLabIT's no-op).
    for (K key : keys) {
      threads.add(
          Thread.ofPlatform()
              .daemon()
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
