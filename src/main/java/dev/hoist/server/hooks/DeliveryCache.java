package dev.hoist.server.hooks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The delivery ids seen lately, per project, so a repeated delivery is answered once and ignored
 * after. Bounded (the oldest ids are forgotten first) and kept in memory: after a restart, the
 * signed timestamps of Standard Webhooks and the generic form still refuse old deliveries.
 */
public final class DeliveryCache {
  private final Map<String, Boolean> seen;

  public DeliveryCache(int capacity) {
    this.seen =
        new LinkedHashMap<>() {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Records the id; false when it was already there. */
  public synchronized boolean firstTime(String project, String deliveryId) {
    return seen.put(project + "\n" + deliveryId, Boolean.TRUE) == null;
  }
}
