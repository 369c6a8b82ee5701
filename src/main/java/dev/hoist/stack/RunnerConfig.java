package dev.hoist.stack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hoist.engine.Attributes;
import dev.hoist.engine.Catalog;
import dev.hoist.engine.DirectoryResource;
import java.io.IOException;
import java.io.UncheckedIOException;

/** What the parts of the stack that install a node runner (TLS, services, cron) share. */
final class RunnerConfig {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RunnerConfig() {}

  /** A fresh object for a runner's JSON config. */
  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** The config file's text: indented, so a diff in {@code hoist plan} reads line by line. */
  static String text(ObjectNode root) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Adds a directory unless another part of the stack did (/var/log/hoist, /etc/hoist). */
  static void dir(Catalog.Builder c, String path, Attributes attributes, String... requires) {
    if (!c.has("dir:" + path)) {
      c.add(new DirectoryResource(path, attributes)).requires(requires);
    }
  }
}
