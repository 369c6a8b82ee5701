package dev.hoist.server.build;

import dev.hoist.build.Build;
import dev.hoist.build.BuildException;
import dev.hoist.build.BuildTree;
import dev.hoist.build.BuildUser;
import dev.hoist.project.Spec;
import dev.hoist.project.SpecException;
import dev.hoist.project.SpecLoader;
import dev.hoist.server.ProjectConfig;
import dev.hoist.server.ServerConfig;
import dev.hoist.server.queue.DeployRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One push, deployed: fetch exactly the pushed commit into the project's cache, make a clean tree
 * of it, run its {@code build:} (never as root), and deploy that tree with {@code hoist deploy}
 * (the CLI's own code: its environment lock, data phase, rolling deploy behind a balancer, rescue).
 * The project's {@code env} picks the environment; without one, this machine.
 */
public final class PushPipeline {
  private final Path dataDir;
  private final HoistCli cli;
  private final Builder builder;

  /** Who runs a commit's {@code build:} commands: never root. */
  @FunctionalInterface
  interface Builder {
    BuildUser user() throws PipelineFailure;
  }

  public PushPipeline(Path dataDir, ServerConfig config) {
    this(dataDir, HoistCli.thisJvm(), PushPipeline::serverBuilder);
  }

  /** {@code builder}: who builds, instead of the server's rule (tests). */
  PushPipeline(Path dataDir, HoistCli cli, Builder builder) {
    this.dataDir = dataDir;
    this.cli = cli;
    this.builder = builder;
  }

  /** Fetch exactly request.commit() (branch head when commit is null), build, deploy. */
  public PipelineResult deploy(ProjectConfig project, DeployRequest request, PipelineLog log)
      throws PipelineFailure, InterruptedException {
    Checkout checkout = new Checkout(cache(project));
    long t = System.nanoTime();
    log.line("fetching " + Redacted.text(project.repo()) + " " + project.branch());
    String commit = checkout.fetch(project, Optional.ofNullable(request.commit()), log::line);
    removeOld(checkout);
    Path tree = checkout.tree(commit);
    log.line("checked out " + commit);
    log.phase("fetch", since(t));
    try {
      Spec spec = load(tree, "build");
      t = System.nanoTime();
      if (spec.build().isEmpty()) {
        // Nothing runs, so nobody to run it as: no build user is needed.
        log.line("no build: commands; nothing to build");
      } else {
        BuildUser user = builder.user();
        // The build runs in a copy of the tree with a HOME of its own (BuildDir); the server
        // deploys from its own copy of what the build made (BuildOutput).
        Path dir = buildDir(tree, user);
        try {
          build(spec, BuildDir.src(dir), user.withHome(BuildDir.home(dir)), log);
          take(BuildDir.src(dir), tree);
        } finally {
          removeBuildDir(dir);
        }
      }
      log.phase("build", since(t));
      t = System.nanoTime();
      String release = cli.run("deploy", project.env(), tree, log);
      log.phase("deploy", since(t));
      return new PipelineResult(commit, release);
    } finally {
      remove(tree);
    }
  }

  /** {@code built}'s output into {@code tree}, the commit's checkout (its deploy config kept). */
  private static void take(Path built, Path tree) throws PipelineFailure {
    try {
      BuildOutput.takeInto(built, tree);
    } catch (IOException e) {
      throw new PipelineFailure("build", "cannot take the build's output: " + e.getMessage(), e);
    }
  }

  private static Path buildDir(Path tree, BuildUser user) throws PipelineFailure {
    try {
      return BuildDir.make(tree, user);
    } catch (IOException e) {
      throw new PipelineFailure("build", "cannot hand the tree to the build: " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code spec}'s build in {@code tree}, a build directory's {@code src/}, as {@code user}.
   */
  private static void build(Spec spec, Path tree, BuildUser user, PipelineLog log)
      throws PipelineFailure, InterruptedException {
    log.line("building as " + user.name());
    try {
      Build.run(spec.build(), tree, user, log::line);
    } catch (BuildException e) {
      throw new PipelineFailure("build", withTail(e), e);
    }
  }

  /**
   * Switch every node of the project's environment back to its previous release (hoist rollback).
   */
  public PipelineResult rollback(ProjectConfig project, PipelineLog log)
      throws PipelineFailure, InterruptedException {
    // hoist rollback reads the app and its nodes from hoist.yml: the branch head's.
    Checkout checkout = new Checkout(cache(project));
    String commit = checkout.fetch(project, Optional.empty(), log::line);
    removeOld(checkout);
    Path tree = checkout.tree(commit);
    try {
      load(tree, "deploy");
      long t = System.nanoTime();
      String release = cli.run("rollback", project.env(), tree, log);
      log.phase("deploy", since(t));
      return new PipelineResult(commit, release);
    } finally {
      remove(tree);
    }
  }

  private static void removeBuildDir(Path dir) {
    try {
      BuildDir.remove(dir);
    } catch (IOException e) {
      // A temporary directory left behind is not worth failing a deploy over.
    }
  }

  /** Removes a work tree as its owner; one left behind is removed with the next deploy's. */
  private static void remove(Path tree) {
    try {
      BuildTree.remove(tree);
    } catch (IOException e) {
      // Removed with the next deploy's old trees.
    }
  }

  private Path cache(ProjectConfig project) {
    return dataDir.resolve("cache").resolve(project.name());
  }

  private static void removeOld(Checkout checkout) throws PipelineFailure {
    try {
      for (Path old : checkout.oldTrees()) {
        BuildTree.remove(old);
      }
    } catch (IOException e) {
      throw new PipelineFailure("fetch", "cannot remove an old work tree: " + e.getMessage(), e);
    }
  }

  private static Spec load(Path tree, String phase) throws PipelineFailure {
    // A link would have the server (maybe root) read, and quote in its error, a file of its own.
    for (String name : BuildOutput.DEPLOY_CONFIG) {
      if (java.nio.file.Files.isSymbolicLink(tree.resolve(name))) {
        throw new PipelineFailure(
            phase,
            "the commit's "
                + name
                + " is a symbolic link; the server reads only what the commit holds: commit the"
                + " file itself",
            null);
      }
    }
    try {
      return SpecLoader.load(tree);
    } catch (SpecException e) {
      throw new PipelineFailure(
          phase, "the commit's hoist.yml is not valid:\n" + e.getMessage(), e);
    } catch (IOException e) {
      throw new PipelineFailure(phase, "cannot read the commit's hoist.yml: " + e.getMessage(), e);
    }
  }

  /**
   * The server's own user; a server running as root builds as the {@code hoist} user that {@code
   * hoist server install} makes, never as root.
   */
  private static BuildUser serverBuilder() throws PipelineFailure {
    try {
      BuildUser me = BuildUser.current();
      if (me.uid() != 0) {
        return me;
      }
      Optional<BuildUser> hoist = BuildUser.named("hoist");
      if (hoist.isEmpty()) {
        throw new PipelineFailure(
            "build",
            "the server runs as root and builds never do; there is no 'hoist' user to run"
                + " them\n    run the server as its own user (hoist server install --config ...)",
            null);
      }
      return hoist.get();
    } catch (IOException e) {
      throw new PipelineFailure("build", "cannot tell who may run the build: " + e.getMessage(), e);
    }
  }

  private static String withTail(BuildException e) {
    StringBuilder message = new StringBuilder(e.getMessage());
    if (!e.tail().isEmpty()) {
      message.append("\n    its last lines:");
      e.tail().forEach(l -> message.append("\n      ").append(l));
    }
    return message.toString();
  }

  private static Duration since(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos);
  }
}
