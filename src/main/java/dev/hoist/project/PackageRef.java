package dev.hoist.project;

import java.util.Optional;

/** A Debian package the app needs, optionally pinned ({@code name=version}). */
public record PackageRef(String name, Optional<String> version) {
  @Override
  public String toString() {
    return version.map(v -> name + "=" + v).orElse(name);
  }
}
