package dev.hoist.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resources wanted on a node, with their dependencies ({@code requires}: applied after) and
 * notifications ({@code notifies}: refreshed when this one changes). Iterates in dependency order;
 * among independent resources, in the order they were added.
 */
public final class Catalog {
  /**
   * One resource and its edges, by resource id. {@code restarts} is the subset of {@code notifies}
   * that must be restarted, not just reloaded (e.g. a service whose run script changed).
   */
  public record Entry(
      Resource resource, Set<String> requires, Set<String> notifies, Set<String> restarts) {}

  private final Map<String, Entry> entries;

  private Catalog(Map<String, Entry> entries) {
    this.entries = entries;
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Entry> ordered() {
    return List.copyOf(entries.values());
  }

  public Entry get(String id) {
    return entries.get(id);
  }

  public boolean contains(String id) {
    return entries.containsKey(id);
  }

  /** Collects entries, then checks edges and sorts them. */
  public static final class Builder {
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private String last;

    /** Adds a resource; later {@link #requires} and {@link #notifies} calls apply to it. */
    public Builder add(Resource resource) {
      if (entries.containsKey(resource.id())) {
        throw new IllegalArgumentException("duplicate resource " + resource.id());
      }
      entries.put(
          resource.id(),
          new Entry(resource, new LinkedHashSet<>(), new LinkedHashSet<>(), new LinkedHashSet<>()));
      last = resource.id();
      return this;
    }

    /** Whether a resource with this id was added (several parts of a stack may share a dir). */
    public boolean has(String id) {
      return entries.containsKey(id);
    }

    public Builder requires(String... ids) {
      entries.get(last).requires().addAll(List.of(ids));
      return this;
    }

    /**
     * Adds requirements to a resource added earlier (a later part of the stack it must wait for).
     */
    public Builder requireFor(String id, String... ids) {
      entries.get(id).requires().addAll(List.of(ids));
      return this;
    }

    public Builder notifies(String... ids) {
      entries.get(last).notifies().addAll(List.of(ids));
      return this;
    }

    /** Adds a notification edge between two resources already added. */
    public Builder notify(String fromId, String toId) {
      entries.get(fromId).notifies().add(toId);
      return this;
    }

    /** Like {@link #notify}, but the target must restart: a reload would not pick the change up. */
    public Builder restart(String fromId, String toId) {
      notify(fromId, toId);
      entries.get(fromId).restarts().add(toId);
      return this;
    }

    public Catalog build() {
      for (Entry e : entries.values()) {
        for (String id : concat(e.requires(), e.notifies())) {
          if (!entries.containsKey(id)) {
            throw new IllegalArgumentException(e.resource().id() + " refers to unknown " + id);
          }
        }
      }
      return new Catalog(sort());
    }

    /** Kahn's algorithm, stable: a notified resource also comes after the one that notifies it. */
    private Map<String, Entry> sort() {
      Map<String, Set<String>> before = new LinkedHashMap<>();
      entries.forEach((id, e) -> before.put(id, new LinkedHashSet<>(e.requires())));
      entries.forEach((id, e) -> e.notifies().forEach(t -> before.get(t).add(id)));
      Map<String, Entry> out = new LinkedHashMap<>();
      Deque<String> ready = new ArrayDeque<>();
      while (out.size() < entries.size()) {
        ready.clear();
        for (String id : entries.keySet()) {
          if (!out.containsKey(id) && out.keySet().containsAll(before.get(id))) {
            ready.add(id);
            break;
          }
        }
        if (ready.isEmpty()) {
          List<String> stuck = new ArrayList<>(entries.keySet());
          stuck.removeAll(out.keySet());
          throw new IllegalArgumentException("dependency cycle among " + inCycle(stuck, before));
        }
        String id = ready.pop();
        out.put(id, entries.get(id));
      }
      return out;
    }

    /**
     * Drops what merely waits on a cycle (no stuck resource needs it), leaving the cycle itself.
     */
    private static List<String> inCycle(List<String> stuck, Map<String, Set<String>> before) {
      List<String> left = new ArrayList<>(stuck);
      boolean dropped = true;
      while (dropped) {
        dropped =
            left.removeIf(id -> left.stream().noneMatch(other -> before.get(other).contains(id)));
      }
      return left;
    }

    private static List<String> concat(Set<String> a, Set<String> b) {
      List<String> all = new ArrayList<>(a);
      all.addAll(b);
      return all;
    }
  }
}
