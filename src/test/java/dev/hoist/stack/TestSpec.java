package dev.hoist.stack;

import dev.hoist.project.HealthSpec;
import dev.hoist.project.PackageRef;
import dev.hoist.project.ProcessSpec;
import dev.hoist.project.ReleaseSpec;
import dev.hoist.project.Spec;
import dev.hoist.project.Workers;
import dev.hoist.project.WsgiEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds a {@link Spec} in a test: app {@code hello}, {@code hello:application}, defaults
 * elsewhere.
 */
public final class TestSpec {
  private Path projectDir = Path.of("/home/dev/hello");
  private String app = "hello";
  private WsgiEntry wsgi = new WsgiEntry("hello", "application", false);
  private Optional<String> requirements = Optional.empty();
  private Optional<String> wheelhouse = Optional.empty();
  private Workers workers = Workers.auto();
  private String domain = "hello.example.com";
  private final List<String> aliases = new ArrayList<>();
  private final Map<String, String> statics = new LinkedHashMap<>();
  private final Map<String, String> env = new LinkedHashMap<>();
  private final List<String> shared = new ArrayList<>();
  private final List<PackageRef> packages = new ArrayList<>();
  private final Map<String, ProcessSpec> processes = new LinkedHashMap<>();
  private ReleaseSpec release = ReleaseSpec.defaults();
  private HealthSpec health = HealthSpec.defaults();
  private dev.hoist.project.ServicesSpec services = dev.hoist.project.ServicesSpec.none();
  private dev.hoist.project.TlsSpec tls = new dev.hoist.project.TlsSpec.Off("a test spec");
  private final Map<String, dev.hoist.project.CronJob> cron = new LinkedHashMap<>();
  private Optional<dev.hoist.project.BackupSpec> backup = Optional.empty();

  public static TestSpec hello() {
    return new TestSpec();
  }

  public TestSpec projectDir(Path dir) {
    this.projectDir = dir;
    return this;
  }

  public TestSpec app(String name) {
    this.app = name;
    return this;
  }

  public TestSpec wsgi(String module, String callable, boolean factory) {
    this.wsgi = new WsgiEntry(module, callable, factory);
    return this;
  }

  public TestSpec requirements(String file) {
    this.requirements = Optional.of(file);
    return this;
  }

  public TestSpec wheelhouse(String dir) {
    this.wheelhouse = Optional.of(dir);
    return this;
  }

  public TestSpec workers(int n) {
    this.workers = new Workers(java.util.OptionalInt.of(n));
    return this;
  }

  public TestSpec domain(String domain) {
    this.domain = domain;
    return this;
  }

  /** The user's own PEM (chain and key in one file). */
  public TestSpec tlsCert(String path) {
    return tls(
        new dev.hoist.project.TlsSpec.Files(Path.of(path), Optional.empty(), Optional.empty()));
  }

  public TestSpec tls(dev.hoist.project.TlsSpec tls) {
    this.tls = tls;
    return this;
  }

  public TestSpec alias(String alias) {
    aliases.add(alias);
    return this;
  }

  public TestSpec statics(String prefix, String dir) {
    statics.put(prefix, dir);
    return this;
  }

  public TestSpec env(String name, String value) {
    env.put(name, value);
    return this;
  }

  public TestSpec shared(String dir) {
    shared.add(dir);
    return this;
  }

  public TestSpec pkg(String name, Optional<String> version) {
    packages.add(new PackageRef(name, version));
    return this;
  }

  public TestSpec process(String name, List<String> command, Duration stopTimeout) {
    processes.put(name, new ProcessSpec(name, command, stopTimeout));
    return this;
  }

  public TestSpec cron(String name, String schedule, List<String> command, Duration timeout) {
    cron.put(
        name,
        new dev.hoist.project.CronJob(
            name, dev.hoist.project.CronSchedule.parse(schedule), command, timeout));
    return this;
  }

  public TestSpec release(int keep, List<List<String>> beforeActivate) {
    this.release = new ReleaseSpec(keep, beforeActivate);
    return this;
  }

  public TestSpec services(dev.hoist.project.ServicesSpec services) {
    this.services = services;
    return this;
  }

  public TestSpec backup(dev.hoist.project.BackupSpec backup) {
    this.backup = Optional.of(backup);
    return this;
  }

  public TestSpec health(HealthSpec health) {
    this.health = health;
    return this;
  }

  public Spec build() {
    return new Spec(
        projectDir,
        projectDir.resolve("hoist.yml"),
        app,
        wsgi,
        requirements,
        wheelhouse,
        workers,
        domain,
        List.copyOf(aliases),
        new LinkedHashMap<>(statics),
        new LinkedHashMap<>(env),
        List.copyOf(shared),
        List.copyOf(packages),
        new LinkedHashMap<>(processes),
        Map.of(),
        release,
        health,
        dev.hoist.project.RolloutSpec.defaults(),
        tls,
        dev.hoist.project.Inventory.empty(),
        dev.hoist.project.SupervisorChoice.AUTO,
        List.of(),
        services,
        new LinkedHashMap<>(cron),
        backup,
        dev.hoist.project.BuildSpec.none());
  }
}
