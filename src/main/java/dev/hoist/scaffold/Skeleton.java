package dev.hoist.scaffold;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A project skeleton before rendering: its name and its files, keyed by their path inside the
 * skeleton with '/' separators (names may hold Jinja, e.g. {@code {{module}}/views.py.j2}).
 */
record Skeleton(String name, String origin, SortedMap<String, byte[]> files) {
  Skeleton {
    files = Collections.unmodifiableSortedMap(new TreeMap<>(files));
  }
}
