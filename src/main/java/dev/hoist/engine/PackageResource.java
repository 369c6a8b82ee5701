package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/** A Debian package installed, at a pinned version if one is given. */
public record PackageResource(String name, Optional<String> version) implements Resource {
  @Override
  public String id() {
    return "package:" + name;
  }

  @Override
  public ProbeRequest probe() {
    return new ProbeRequest(id(), new ProbeKind.Package(name));
  }

  /** The argument apt-get takes: {@code name} or {@code name=version}. */
  public String aptArgument() {
    return version.map(v -> name + "=" + v).orElse(name);
  }

  @Override
  public Optional<Change> diff(JsonNode current) {
    String installed = current.path("version").isTextual() ? current.get("version").asText() : null;
    if (installed != null && (version.isEmpty() || version.get().equals(installed))) {
      return Optional.empty();
    }
    String why =
        installed == null
            ? "not installed"
            : "installed " + installed + ", pinned " + version.get();
    AgentStep step = AgentStep.of(id(), new AgentOp.AptInstall(List.of(aptArgument())));
    return Optional.of(
        new Change(
            id(),
            installed == null ? Change.Kind.CREATE : Change.Kind.UPDATE,
            "install " + aptArgument(),
            List.of(why),
            "",
            List.of(step)));
  }
}
