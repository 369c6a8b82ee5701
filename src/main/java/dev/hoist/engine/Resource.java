package dev.hoist.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Something on a node that should be in a given state. A resource says how to probe itself, and
 * compares what it wants with what was probed, purely, returning the change to make (if any).
 */
public sealed interface Resource
    permits PackageResource,
        GroupResource,
        UserResource,
        DirectoryResource,
        FileResource,
        LinkResource,
        ExecResource,
        ServiceResource,
        CronJobsResource,
        RootJobAbsent,
        FileAbsent {

  /** Unique within a catalog, e.g. {@code file:/etc/nginx/sites-enabled/hoist-hello.conf}. */
  String id();

  /** What the agent should read for this resource (kind and parameters). */
  ProbeRequest probe();

  /** The change that brings {@code current} (this resource's probed state) to what is wanted. */
  Optional<Change> diff(JsonNode current);
}
