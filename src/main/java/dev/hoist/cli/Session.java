package dev.hoist.cli;

import dev.hoist.engine.Engine;
import dev.hoist.engine.ServiceResource.Supervisor;
import dev.hoist.node.Agent;
import dev.hoist.node.LocalNode;
import dev.hoist.node.Node;
import dev.hoist.project.Spec;
import dev.hoist.project.SpecException;
import dev.hoist.project.SpecLoader;
import dev.hoist.stack.Stack;
import dev.hoist.stack.StackBuilder;
import dev.hoist.stack.Templates;
import java.io.IOException;
import java.nio.file.Path;

/** What a command works with: the project's spec, the node (this machine for now) and its engine. */
final class Session {
  private final Spec spec;
  private final Node node;
  private final Engine engine;
  private Templates templates;

  private Session(Spec spec, Node node) {
    this.spec = spec;
    this.node = node;
    this.engine = new Engine(new Agent(node));
  }

  /** Loads the project at {@code project} (a directory or a hoist.yml) for a command on this machine. */
  static Session open(String project) throws CommandException {
    try {
      return new Session(SpecLoader.load(Path.of(project)), new LocalNode());
    } catch (SpecException e) {
      throw new CommandException(ExitCode.USAGE, e.getMessage());
    } catch (IOException e) {
      throw new CommandException(ExitCode.USAGE, "cannot read " + project + ": " + e.getMessage());
    }
  }

  Spec spec() {
    return spec;
  }

  Node node() {
    return node;
  }

  Engine engine() {
    return engine;
  }

  Templates templates() {
    if (templates == null) {
      templates = Templates.forProject(spec.projectDir());
    }
    return templates;
  }

  /** The stack for commands that only read (status, rollback): runit unless PID 1 is systemd here. */
  Stack stack() {
    return new StackBuilder(templates(), localSupervisor()).build(spec);
  }

  private static Supervisor localSupervisor() {
    try {
      String init = java.nio.file.Files.readString(Path.of("/proc/1/comm")).strip();
      return "systemd".equals(init) ? Supervisor.SYSTEMD : Supervisor.RUNIT;
    } catch (IOException e) {
      return Supervisor.RUNIT;
    }
  }
}
