package dev.hoist.stack;

import dev.hoist.engine.Catalog;
import dev.hoist.engine.ServiceResource;
import dev.hoist.project.Spec;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a spec needs on a node: the catalog of resources, and the services whose refresh the release
 * does itself (the app server is reloaded after a switch, the processes restarted).
 */
public record Stack(
    Spec spec,
    AppLayout layout,
    Catalog catalog,
    ServiceResource appService,
    List<ServiceResource> processServices,
    Map<String, ReleaseFile> releaseConfig) {

  /**
   * A config file that ships inside each release (path relative to the release): root-owned,
   * readable by {@code group} when {@code mode} says so.
   */
  public record ReleaseFile(byte[] content, String group, String mode) {}

  /** Refreshes the release performs itself, so the engine must not plan them. */
  public Set<String> releaseRefreshed() {
    java.util.Set<String> ids = new java.util.LinkedHashSet<>();
    ids.add(appService.id());
    processServices.forEach(p -> ids.add(p.id()));
    return ids;
  }
}
